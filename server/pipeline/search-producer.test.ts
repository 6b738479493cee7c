import { describe, expect, it } from 'vitest';
import { FORMULA_START } from '../../lib/csv-export';
import { newSearchId } from './search-producer';

describe('newSearchId', () => {
  it('is 22 URL-safe characters, all different, and never starts like a spreadsheet formula', () => {
    // 5,000 draws: with plain base64url, 1 in 64 starts with "-" (≈78 expected here).
    const ids = Array.from({ length: 5000 }, newSearchId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => FORMULA_START.test(id))).toEqual([]);
  });
});
