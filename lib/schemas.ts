/**
 * zod schemas for everything that crosses an edge into sitescan: HTTP bodies and socket
 * payloads. Shared so the search form validates exactly as the API does.
 */
import { z } from 'zod';

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

/** `{name, location?, phone?, website?}` — a business to search for. */
export const businessQuerySchema = z.strictObject({
  name: text('name').min(1, { error: 'name is required' }),
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

/** A search id: 22 URL-safe characters (128 random bits). */
export const searchIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, { error: 'not a search id' });

/** Payload of the socket's `search:subscribe`. */
export const subscribePayloadSchema = z.strictObject({
  searchId: searchIdSchema,
  afterSeq: z.number().int().min(0).default(0),
});

/** Formats a zod error as one line naming each bad field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
