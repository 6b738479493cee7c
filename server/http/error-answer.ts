/**
 * The one place an error becomes an HTTP answer: its status, the `{ error: { code, message,
 * details? } }` body DESIGN.md fixes, and Retry-After. Route handlers turn it into a Web
 * `Response` (`responder.ts`); the custom server writes it to a Node `ServerResponse`
 * (`server-answer.ts`).
 *
 * Mapping: zod and `ValidationError` → 400, `ForbiddenError` → 403, `NotFoundError` → 404,
 * `ConflictError` → 409, `PayloadTooLargeError` → 413, `OverloadedError` → 429 and
 * `UnavailableError` → 503, both with Retry-After in whole seconds
 * (at least 1). Anything else is a fault of ours, which the caller logs and answers with
 * {@link INTERNAL_ERROR} (500) without internals.
 */
import { z } from 'zod';
import { describeZodError } from '../../lib/schemas';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  UnavailableError,
  ValidationError,
  type SitescanError,
} from '../errors';

/** The body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** An error answer before it is written. */
export interface ErrorAnswer {
  readonly status: number;
  readonly body: ErrorBody;
  /** Headers of the answer (`Retry-After` for 429 and 503). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Options of an error answer. */
export interface ErrorAnswerOptions {
  /** Machine-readable detail, e.g. the zod issues of a bad body. */
  readonly details?: unknown;
  /** When to try again, ms; sets Retry-After in whole seconds, at least 1. */
  readonly retryAfterMs?: number;
}

/** An error the API answers with its own status and code. */
type AnsweredError = SitescanError & { readonly code: string };

/** Status of each error class the API answers with; matched by `instanceof`, which holds across bundles. */
const STATUS_BY_CLASS: ReadonlyArray<readonly [abstract new (...args: never[]) => AnsweredError, number]> = [
  [ValidationError, 400],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [OverloadedError, 429],
  [UnavailableError, 503],
];

/** Retry-After of a wait in ms: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** An error answer from its parts. */
export function errorAnswer(status: number, code: string, message: string, options: ErrorAnswerOptions = {}): ErrorAnswer {
  const { details, retryAfterMs } = options;
  return {
    status,
    body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
    headers: retryAfterMs === undefined ? {} : { 'Retry-After': String(retryAfterSeconds(retryAfterMs)) },
  };
}

/** The answer to a failure of ours: a 500 that says nothing of the internals. */
export const INTERNAL_ERROR: ErrorAnswer = errorAnswer(500, 'internal', 'internal error');

/**
 * The answer to a thrown value the API knows (see the mapping above); undefined for anything
 * else, which is a fault of ours.
 */
export function errorAnswerFor(error: unknown): ErrorAnswer | undefined {
  if (error instanceof z.ZodError) {
    const details = error.issues.map(({ path, message }) => ({ path, message }));
    return errorAnswer(400, 'invalid_request', describeZodError(error), { details });
  }
  const known = STATUS_BY_CLASS.find(([type]) => error instanceof type);
  if (!known) return undefined;
  const [, status] = known;
  const answered = error as AnsweredError;
  const retryAfterMs = answered instanceof OverloadedError || answered instanceof UnavailableError ? answered.retryAfterMs : undefined;
  const details = answered instanceof ValidationError ? answered.details : undefined;
  return errorAnswer(status, answered.code, answered.message, { details, retryAfterMs });
}
