import { describe, expect, it } from 'vitest';
import { businessQuerySchema, describeZodError, exportQuerySchema, listSearchesQuerySchema, matchBodySchema } from './schemas';

const nameError = (name: unknown) => {
  const parsed = businessQuerySchema.safeParse({ name });
  return parsed.success ? undefined : describeZodError(parsed.error);
};

describe('a business name', () => {
  it.each([
    ['zero-width spaces', '\u200B\u200B'],
    ['NUL', '\u0000'],
    ['control characters', '\u0001\u001F\u007F'],
    ['a bidi override', '\u202E\u202C'],
    ['a byte-order mark and a word joiner', '\uFEFF\u2060'],
    ['punctuation', '-- !!'],
    ['a lone combining mark', '\u0301'],
    ['zero-width characters around spaces', ' \u200B \u200C '],
  ])('of only %s is refused naming the field', (_label, name) => {
    expect(nameError(name)).toBe('name: name must contain a letter or a digit');
  });

  it.each([
    ['a plain name', 'Blue Door Bakery'],
    ['digits only', '7'],
    ['another script', 'مطعم'],
    ['a letter among format characters', '\u200BA\u200B'],
    ['accents, emoji and a bidi mark with letters', 'Café\u0301 🍰 \u202Eevil\u202C'],
  ])('with %s is accepted as given', (_label, name) => {
    const parsed = businessQuerySchema.parse({ name });
    expect(parsed.name).toBe(name.trim());
  });

  it('says only that it is required when empty or blank', () => {
    expect(nameError('')).toBe('name: name is required');
    expect(nameError('   ')).toBe('name: name is required');
  });

  it('applies to the listing of a match too', () => {
    const parsed = matchBodySchema.safeParse({ query: { name: 'Blue Door' }, listing: { name: '\u200B' } });
    expect(parsed.success).toBe(false);
    expect(describeZodError(parsed.error!)).toBe('listing.name: listing.name must contain a letter or a digit');
  });
});

describe('refused query values', () => {
  it('are quoted cut to a short prefix', () => {
    const long = 's'.repeat(8000);
    const status = listSearchesQuerySchema.safeParse({ status: long });
    const format = exportQuerySchema.safeParse({ format: long });
    for (const parsed of [status, format]) {
      expect(parsed.success).toBe(false);
      const message = describeZodError(parsed.error!);
      expect(message).toContain(`got "${'s'.repeat(40)}…"`);
      expect(message.length).toBeLessThan(200);
    }
  });

  it('are quoted whole when short', () => {
    const parsed = listSearchesQuerySchema.safeParse({ status: 'hacked' });
    expect(describeZodError(parsed.error!)).toBe('status: status must be one of running, completed, cancelled, interrupted, got "hacked"');
  });
});
