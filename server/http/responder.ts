/**
 * The one error responder behind every route handler: a thrown error becomes its answer
 * (`error-answer.ts`: zod and `ValidationError` → 400, unknown id → 404, conflict → 409,
 * too large a body → 413, overload → 429, shutting down → 503, with Retry-After); anything else is a fault of ours: a
 * 500 without internals, logged with the request it failed. Only those 500s are logged; the
 * others are answers the client caused or can wait out.
 */
import { echoInput } from '../../lib/input-echo';
import { PayloadTooLargeError, ValidationError } from '../errors';
import { logger } from '../logger';
import { errorAnswer, errorAnswerFor, INTERNAL_ERROR, type ErrorAnswer, type ErrorAnswerOptions } from './error-answer';

/** Request header carrying the TCP peer address, written by the custom server (`edge.ts`). */
export const CLIENT_HEADER = 'x-sitescan-client';

/** The client a request came from, for per-client limits. */
export function clientOf(request: Request): string {
  return request.headers.get(CLIENT_HEADER) ?? 'unknown';
}

/** Largest JSON body accepted by the API. */
export const MAX_BODY_BYTES = 16 * 1024;

function responseOf({ status, body, headers }: ErrorAnswer): Response {
  return Response.json(body, { status, headers });
}

/** A JSON error response a handler answers itself (a 415, a 413), in the shape of every error. */
export function errorResponse(status: number, code: string, message: string, options?: ErrorAnswerOptions): Response {
  return responseOf(errorAnswer(status, code, message, options));
}

/** Maps any thrown value to a response; a fault of ours is logged with the request, when given. */
export function toErrorResponse(error: unknown, request?: Request): Response {
  const answer = errorAnswerFor(error);
  if (answer) return responseOf(answer);
  const path = request ? new URL(request.url).pathname : undefined;
  logger.error({ module: 'http', method: request?.method, path, err: error }, 'unhandled error in a route handler');
  return responseOf(INTERNAL_ERROR);
}

/**
 * Wraps a route handler so every thrown error goes through the responder. Next passes the
 * request first; a handler that ignores it still has its 500s logged with it.
 */
export function respond<A extends unknown[]>(handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      return toErrorResponse(error, args[0] instanceof Request ? args[0] : undefined);
    }
  };
}

/**
 * Reads a JSON body: size-capped (413, as the bulk CSV is; a declared Content-Length over the cap
 * is refused before the body is read), content type checked, parse errors named.
 */
export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ValidationError(`expected content-type application/json, got ${echoInput(type) || 'none'}`, undefined, {
      code: 'unsupported_media_type',
    });
  }
  const tooLarge = () => new PayloadTooLargeError(`body is larger than ${MAX_BODY_BYTES} bytes`);
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`, undefined, {
      code: 'invalid_json',
      cause: error,
    });
  }
}
