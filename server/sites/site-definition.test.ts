import { describe, expect, it } from 'vitest';
import { describeZodError } from '../../lib/schemas';
import { fillPlaceholders, isUrlPlaceholder, siteLimitsSchema } from './site-definition';

/** The schema's complaint about `value`, as a site file or an adapter's variable reports it. */
function complaint(value: unknown): string | undefined {
  const parsed = siteLimitsSchema.safeParse(value);
  return parsed.success ? undefined : describeZodError(parsed.error);
}

describe('siteLimitsSchema', () => {
  it('accepts limits at both ends of every bound', () => {
    expect(siteLimitsSchema.parse({ concurrency: 1, requests: 1, perMs: 1 })).toEqual({ concurrency: 1, requests: 1, perMs: 1 });
    const widest = { concurrency: 100, requests: 10_000, perMs: 86_400_000 };
    expect(siteLimitsSchema.parse(widest)).toEqual(widest);
  });

  it('names each field that is out of bounds or not a whole number', () => {
    expect(complaint({ concurrency: 0, requests: 5, perMs: 1000 })).toMatch(/^concurrency: .*>=1$/);
    expect(complaint({ concurrency: 101, requests: 10_001, perMs: 86_400_001 })).toMatch(
      /^concurrency: .*<=100; requests: .*<=10000; perMs: .*<=86400000$/,
    );
    expect(complaint({ concurrency: 1.5, requests: 5, perMs: 1000 })).toMatch(/^concurrency: .*int/);
    expect(complaint({ concurrency: 1, requests: 5 })).toMatch(/^perMs: /);
  });

  it('refuses fields it does not know, so a typo is not silently ignored', () => {
    expect(complaint({ concurrency: 1, requests: 5, perMs: 1000, burst: 2 })).toMatch(/burst/);
  });
});

describe('fillPlaceholders and isUrlPlaceholder', () => {
  it('hands every {placeholder} to fill, known or not, and leaves the rest of the template alone', () => {
    const seen: string[] = [];
    const filled = fillPlaceholders('https://dir.test/{name}/x?where={location}&q={query}&{ not}', (placeholder) => {
      seen.push(placeholder);
      return isUrlPlaceholder(placeholder) ? placeholder.toUpperCase() : '';
    });
    expect(seen).toEqual(['name', 'location', 'query']);
    expect(filled).toBe('https://dir.test/NAME/x?where=LOCATION&q=&{ not}');
  });

  it('knows the query fields and nothing else', () => {
    expect(['name', 'location', 'phone', 'website'].every(isUrlPlaceholder)).toBe(true);
    expect(['query', 'Name', '', 'constructor'].some(isUrlPlaceholder)).toBe(false);
  });
});
