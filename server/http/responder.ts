/**
 * The one error responder behind every route handler: zod and `ValidationError` → 400, unknown id
 * → 404, conflict → 409, overload → 429 with Retry-After; anything else → 500, logged. Errors are
 * `{ error: { code, message, details? } }`.
 *
 * Errors are recognised by `name`, not `instanceof`: route handlers are bundled by Next, so the
 * error classes they see are not the same objects as those the pipeline (run by the custom
 * server) throws.
 */
import { z } from 'zod';
import { describeZodError } from '../../lib/schemas';

/** Request header carrying the TCP peer address, written by the custom server (server/index.ts). */
export const CLIENT_HEADER = 'x-sitescan-client';

/** The client a request came from, for per-client limits. */
export function clientOf(request: Request): string {
  return request.headers.get(CLIENT_HEADER) ?? 'unknown';
}

/** Largest JSON body accepted by the API. */
export const MAX_BODY_BYTES = 16 * 1024;

interface NamedError {
  name: string;
  message: string;
  code?: string;
  details?: unknown;
  retryAfterMs?: number;
}

const STATUS_BY_NAME: Record<string, number> = {
  ValidationError: 400,
  NotFoundError: 404,
  ConflictError: 409,
  OverloadedError: 429,
  UnavailableError: 503,
};

/** A JSON error response. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  details?: unknown,
  headers?: HeadersInit,
): Response {
  return Response.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, { status, headers });
}

/** Maps any thrown value to a response. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof z.ZodError) {
    return errorResponse(400, 'invalid_request', describeZodError(error), error.issues.map(({ path, message }) => ({ path, message })));
  }
  const named = error as Partial<NamedError> | undefined;
  const status = named?.name ? STATUS_BY_NAME[named.name] : undefined;
  if (status && named?.message) {
    const headers: Record<string, string> = {};
    if (status === 429 || status === 503) headers['retry-after'] = String(Math.max(1, Math.ceil((named.retryAfterMs ?? 1000) / 1000)));
    return errorResponse(status, named.code ?? 'error', named.message, named.details, headers);
  }
  // Unknown failures are ours, not the client's: log with context, answer without internals.
  console.error('sitescan: unhandled error in a route handler', error);
  return errorResponse(500, 'internal', 'internal error');
}

/** Wraps a route handler so every thrown error goes through the responder. */
export function respond<A extends unknown[]>(handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}

/** Reads a JSON body: size-capped, content type checked, parse errors named. */
export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw Object.assign(new Error(`expected content-type application/json, got ${type || 'none'}`), {
      name: 'ValidationError',
      code: 'unsupported_media_type',
    });
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw Object.assign(new Error(`body is larger than ${MAX_BODY_BYTES} bytes`), {
      name: 'ValidationError',
      code: 'body_too_large',
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(new Error(`body is not valid JSON: ${(error as Error).message}`), {
      name: 'ValidationError',
      code: 'invalid_json',
    });
  }
}
