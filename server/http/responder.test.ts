import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, OverloadedError, ValidationError } from '../errors';
import { readJson, respond, toErrorResponse } from './responder';

describe('toErrorResponse', () => {
  it('maps named errors to their statuses with {error:{code,message}}', async () => {
    const cases: [Error, number, string][] = [
      [new ValidationError('name: name is required'), 400, 'invalid_request'],
      [new NotFoundError('no search with id x'), 404, 'not_found'],
      [new ConflictError('search x is completed'), 409, 'conflict'],
      [new OverloadedError('too many site jobs waiting', 2_500), 429, 'overloaded'],
    ];
    for (const [error, status, code] of cases) {
      const response = toErrorResponse(error);
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: error.message } });
    }
  });

  it('says when to retry an overload, rounded up to seconds', () => {
    expect(toErrorResponse(new OverloadedError('full', 2_500)).headers.get('retry-after')).toBe('3');
  });

  it('names each bad field of a zod error', async () => {
    const parsed = z.object({ name: z.string(), age: z.number() }).safeParse({ name: 1 });
    const response = toErrorResponse(parsed.error);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^name: .*; age: /);
  });

  it('hides internals of unknown failures behind a 500', async () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      const response = toErrorResponse(new TypeError('secret stack detail'));
      expect(response.status).toBe(500);
      expect(JSON.stringify(await response.json())).not.toContain('secret');
    } finally {
      console.error = original;
    }
  });
});

describe('readJson', () => {
  const request = (body: string, type = 'application/json') =>
    new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body });

  it('refuses the wrong content type, oversized bodies and invalid JSON with their own codes', async () => {
    const handler = respond(async (req: Request) => Response.json(await readJson(req)));
    expect(await (await handler(request('{}', 'text/plain'))).json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    expect(await (await handler(request(`"${'x'.repeat(20_000)}"`))).json()).toMatchObject({ error: { code: 'body_too_large' } });
    expect(await (await handler(request('{'))).json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect(await (await handler(request('{"a":1}'))).json()).toEqual({ a: 1 });
  });
});
