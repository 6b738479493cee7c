/**
 * zod schemas for everything that crosses an edge into sitescan: HTTP bodies and socket
 * payloads. Shared so the search form validates exactly as the API does.
 */
import { z } from 'zod';
import { echoInput } from './input-echo';
import { SEARCH_STATUSES } from './types';

/** Longest accepted text field: business names and addresses are short; anything longer is abuse. */
export const MAX_FIELD_LENGTH = 200;

const text = (label: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) })
    .trim()
    .max(MAX_FIELD_LENGTH, { error: `${label} must be at most ${MAX_FIELD_LENGTH} characters` });

const optionalText = (label: string) =>
  text(label)
    .optional()
    .transform((value) => (value ? value : undefined));

/**
 * A letter or a digit, in any script. Control and format characters (Unicode Cc and Cf: NUL,
 * zero-width space, bidi marks) are neither, so a name made only of them has none.
 */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * A name: required, and with a letter or a digit — `"\u200B\u200B"` or `"\u0000"` would
 * otherwise pass `min(1)` and start a search of every site for nothing. The value is kept as
 * given (accents, marks, emoji alongside letters): it is data, not cleaned.
 */
const name = (label: string) =>
  text(label)
    .min(1, { error: `${label} is required`, abort: true })
    .regex(LETTER_OR_DIGIT, { error: `${label} must contain a letter or a digit` });

/** `{name, location?, phone?, website?}` — a business to search for. */
export const businessQuerySchema = z.strictObject({
  name: name('name'),
  location: optionalText('location'),
  phone: optionalText('phone'),
  website: optionalText('website'),
});

/** A site id as the registry names it (`brownbook.net`, `nominatim`). */
export const siteIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'site ids are lower-case letters, digits, ".", "_" or "-"' });

/** Body of `POST /api/searches`. */
export const createSearchBodySchema = businessQuerySchema.extend({
  sites: z
    .array(siteIdSchema, { error: 'sites must be an array of site ids' })
    .min(1, { error: 'sites, when given, must name at least one site' })
    .max(500)
    .optional(),
  priority: z.enum(['interactive', 'bulk']).optional(),
});
export type CreateSearchBody = z.infer<typeof createSearchBodySchema>;

/** A listing as one site shows a business (`POST /api/match`): a name, the rest optional. */
export const listingSchema = z.strictObject({
  name: name('listing.name'),
  address: optionalText('listing.address'),
  phone: optionalText('listing.phone'),
  website: optionalText('listing.website'),
  url: optionalText('listing.url'),
});

/** Body of `POST /api/match`: the business searched for and one listing to compare with it. */
export const matchBodySchema = z.strictObject({
  query: businessQuerySchema,
  listing: listingSchema,
});
/** A validated `POST /api/match` body. */
export type MatchBody = z.infer<typeof matchBodySchema>;

/** 128 random bits in base64url (22 URL-safe characters): the ids of searches and of bulk runs. */
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A search id. */
export const searchIdSchema = z.string().regex(ID_PATTERN, { error: 'not a search id' });

/** A bulk run's id: the same shape as a search's. */
export const bulkRunIdSchema = z.string().regex(ID_PATTERN, { error: 'not a bulk run id' });

/** Payload of the socket's `search:subscribe`. */
export const subscribePayloadSchema = z.strictObject({
  searchId: searchIdSchema,
  afterSeq: z.number().int().min(0).default(0),
  lastAt: z.number().int().min(0).optional(),
});

/** `recent:subscribe` takes no payload; an empty object is accepted as none. */
export const recentSubscribePayloadSchema = z.strictObject({}).optional();

/** Formats a zod error as one line naming each bad field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** The refused value as a message quotes it: JSON, cut to a short prefix. */
const got = (input: unknown) => JSON.stringify(typeof input === 'string' ? echoInput(input) : input);

const emptyToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

/** Query of `GET /api/searches` and of the history page: `q`, `status`, `limit`, `cursor`. */
export const listSearchesQuerySchema = z.strictObject({
  q: z.preprocess(
    emptyToUndefined,
    z.string().trim().max(MAX_FIELD_LENGTH, { error: `q must be at most ${MAX_FIELD_LENGTH} characters` }).optional(),
  ),
  status: z.preprocess(
    emptyToUndefined,
    z.enum(SEARCH_STATUSES, { error: (issue) => `status must be one of ${SEARCH_STATUSES.join(', ')}, got ${got(issue.input)}` }).optional(),
  ),
  limit: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'limit must be a whole number from 1 to 100' })
      .int({ error: 'limit must be a whole number from 1 to 100' })
      .min(1, { error: 'limit must be a whole number from 1 to 100' })
      .max(100, { error: 'limit must be a whole number from 1 to 100' })
      .optional(),
  ),
  cursor: z.preprocess(emptyToUndefined, z.string().max(512, { error: 'cursor is too long to be one' }).optional()),
});
export type ListSearchesQuery = z.infer<typeof listSearchesQuerySchema>;

/** The history filtered by a bulk run: `/history?bulk=<id>&page=<n>` (pages from 1). */
export const bulkHistoryQuerySchema = z.object({
  bulk: z.string().regex(ID_PATTERN, { error: (issue) => `bulk must be a bulk run id, got ${got(issue.input)}` }),
  page: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'page must be a whole number from 1' })
      .int({ error: 'page must be a whole number from 1' })
      .min(1, { error: 'page must be a whole number from 1' })
      .optional(),
  ),
});

/** Query of `GET /api/searches/:id/export`: `format=csv|json` (default json). */
export const exportQuerySchema = z.strictObject({
  format: z.preprocess(
    emptyToUndefined,
    z.enum(['csv', 'json'], { error: (issue) => `format must be csv or json, got ${got(issue.input)}` }).default('json'),
  ),
});

/** The query parameters of a request URL as an object; a repeated key keeps its last value. */
export function searchParamsObject(params: URLSearchParams): Record<string, string> {
  return Object.fromEntries(params.entries());
}
