import { describe, expect, it } from 'vitest';
import { POST } from './route';

const post = (body: unknown, type = 'application/json') =>
  POST(
    new Request('http://x/api/match', {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );

const query = { name: 'Smith & Sons Plumbing LLC', location: '1200 W Main St Ste 4, Austin, TX 78701', phone: '(512) 555-0134' };

describe('POST /api/match', () => {
  it('answers {score, outcome, fields} for an accurate listing', async () => {
    const response = await post({
      query,
      listing: { name: 'Smith and Sons Plumbing', address: '1200 West Main Street, Suite 4, Austin, TX 78701', phone: '+1 512-555-0134' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      score: 1,
      outcome: 'found',
      fields: { name: 'match', address: 'match', phone: 'match' },
    });
  });

  it('reports the field that differs as a possible error', async () => {
    const response = await post({
      query,
      listing: { name: 'Smith & Sons Plumbing', address: '1200 W Main St Ste 4, Austin, TX 78701', phone: '(512) 555-0199' },
    });
    expect(await response.json()).toMatchObject({ outcome: 'partial', fields: { phone: 'mismatch', address: 'match', name: 'match' } });
  });

  it('does not match a near-namesake in the same building', async () => {
    const response = await post({ query, listing: { name: 'Smith Electric', address: '1200 W Main St Ste 4, Austin, TX 78701' } });
    const body = (await response.json()) as { outcome: string; fields: Record<string, string> };
    expect(body.outcome).toBe('not_found');
    expect(body.fields.name).toBe('mismatch');
  });

  it.each([
    [{ listing: { name: 'x' } }, /query: .*(required|expected object)/i],
    [{ query: { name: 'x' } }, /listing: .*(required|expected object)/i],
    [{ query: { name: '' }, listing: { name: 'x' } }, /query\.name: name is required/],
    [{ query: { name: 'x' }, listing: { name: 'x', phone: 5 } }, /listing\.phone: listing\.phone must be a string/],
    [{ query: { name: 'x' }, listing: { name: 'x', rating: 5 } }, /Unrecognized key.*rating/i],
    ['{"query":', /not valid JSON/],
  ])('refuses %j with 400 naming the field', async (body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toMatch(message);
  });

  it('refuses a body that is not JSON by content type', async () => {
    const response = await post('query=x', 'text/plain');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });
});
