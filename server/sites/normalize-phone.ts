/**
 * Phone numbers in one comparable form: E.164 (`+15125550134`), so `(512) 555-0134`,
 * `+1 512-555-0134` and `512.555.0134` are the same number.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Country assumed for numbers written without a `+country` prefix. */
export const DEFAULT_PHONE_COUNTRY: CountryCode = 'US';

/**
 * The E.164 form of a phone number, or — when libphonenumber-js cannot make a possible number of
 * it — its bare digits, so two identical odd strings still compare equal. `undefined` when the
 * text holds no digit at all.
 *
 * Extensions are dropped: a listing rarely shows one, and `ext. 12` does not make it another line.
 */
export function normalizePhone(text: string, country: CountryCode = DEFAULT_PHONE_COUNTRY): string | undefined {
  const digits = text.replace(/\D/g, '');
  if (!digits) return undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  // isPossible, not isValid: validity depends on number-range metadata that goes stale and
  // rejects the 555-01xx numbers used in examples; length is what tells a real number from junk.
  if (parsed?.isPossible()) return parsed.number;
  return digits;
}
