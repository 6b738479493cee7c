import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, OverloadedError, PayloadTooLargeError, UnavailableError, ValidationError } from '../errors';
import { logger } from '../logger';
import { MAX_BODY_BYTES, readJson, respond, toErrorResponse } from './responder';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('toErrorResponse', () => {
  it('maps named errors to their statuses with {error:{code,message}}', async () => {
    const cases: [Error, number, string][] = [
      [new ValidationError('name: name is required'), 400, 'invalid_request'],
      [new NotFoundError('no search with id x'), 404, 'not_found'],
      [new ConflictError('search x is completed'), 409, 'conflict'],
      [new PayloadTooLargeError('body is larger than 16384 bytes'), 413, 'body_too_large'],
      [new OverloadedError('too many site jobs waiting', 2_500), 429, 'overloaded'],
    ];
    for (const [error, status, code] of cases) {
      const response = toErrorResponse(error);
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { code, message: error.message } });
    }
  });

  it('says when to retry an overload or a shutdown, rounded up to seconds, at least 1', async () => {
    expect(toErrorResponse(new OverloadedError('full', 2_500)).headers.get('retry-after')).toBe('3');
    const unavailable = toErrorResponse(new UnavailableError('sitescan is shutting down', 10));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1');
    expect(await unavailable.json()).toEqual({ error: { code: 'unavailable', message: 'sitescan is shutting down' } });
  });

  it('passes the details of a validation error on', async () => {
    const response = toErrorResponse(new ValidationError('bad cursor', { reason: 'not base64url' }));
    expect(await response.json()).toEqual({ error: { code: 'invalid_request', message: 'bad cursor', details: { reason: 'not base64url' } } });
  });

  it('maps an error thrown by another copy of errors.ts, as Next bundles it, by its class', async () => {
    vi.resetModules();
    const other = await import('../errors');
    expect(other.OverloadedError).not.toBe(OverloadedError);
    const response = toErrorResponse(new other.OverloadedError('too many site jobs waiting', 2_500));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ error: { code: 'overloaded', message: 'too many site jobs waiting' } });
    expect(toErrorResponse(new other.NotFoundError('no search with id x')).status).toBe(404);
  });

  it('does not take an error named like one of ours for it', () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const lookAlike = Object.assign(new Error('no search'), { name: 'NotFoundError', code: 'not_found' });
    expect(toErrorResponse(lookAlike).status).toBe(500);
  });

  it('names each bad field of a zod error', async () => {
    const parsed = z.object({ name: z.string(), age: z.number() }).safeParse({ name: 1 });
    const response = toErrorResponse(parsed.error);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^name: .*; age: /);
  });

  it('hides internals of unknown failures behind a 500 and logs them with the request', async () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const failure = new TypeError('secret stack detail');
    const handler = respond(async (_request: Request) => {
      throw failure;
    });
    const response = await handler(new Request('http://x/api/searches/abc?q=1', { method: 'DELETE' }));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain('secret');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith({ module: 'http', method: 'DELETE', path: '/api/searches/abc', err: failure }, 'unhandled error in a route handler');
  });

  it('logs only the failures of ours, not the 4xx and 503 answers', async () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const errors = [new ValidationError('bad'), new NotFoundError('none'), new OverloadedError('full', 1), new UnavailableError('closing', 1)];
    const statuses: number[] = [];
    for (const error of errors) {
      const handler = respond(async (_request: Request) => {
        throw error;
      });
      statuses.push((await handler(new Request('http://x'))).status);
    }
    expect(statuses).toEqual([400, 404, 429, 503]);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('readJson', () => {
  const request = (body: string, type = 'application/json') =>
    new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body });

  it('refuses the wrong content type, oversized bodies and invalid JSON with their own codes', async () => {
    const handler = respond(async (req: Request) => Response.json(await readJson(req)));
    expect(await (await handler(request('{}', 'text/plain'))).json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const tooLarge = await handler(request(`"${'x'.repeat(20_000)}"`));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'body_too_large' } });
    expect(await (await handler(request('{'))).json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect(await (await handler(request('{"a":1}'))).json()).toEqual({ a: 1 });
  });

  it('refuses a body declared larger than the cap with 413 before reading it', async () => {
    const body = new ReadableStream({
      pull() {
        throw new Error('the body was read');
      },
    });
    const declared = new Request('http://x', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
      body,
      duplex: 'half',
    } as RequestInit);
    await expect(readJson(declared)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('quotes a long content type by a short prefix', async () => {
    const handler = respond(async (req: Request) => Response.json(await readJson(req)));
    const { error } = (await (await handler(request('{}', `text/${'x'.repeat(8000)}`))).json()) as { error: { message: string } };
    expect(error.message).toBe(`expected content-type application/json, got text/${'x'.repeat(35)}…`);
  });
});
