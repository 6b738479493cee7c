import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { exportFileName, resultRows, toCsv } from './csv-export';
import type { SiteResult } from './types';

const search = { id: 'x'.repeat(22), query: { name: '=HYPERLINK("http://evil")', phone: '+1 512 555 0134' }, status: 'completed' as const, createdAt: 0 };
const results: SiteResult[] = [
  {
    siteId: 'a.com',
    siteName: 'A',
    sandbox: true,
    status: 'done',
    outcome: 'partial',
    attempts: 1,
    latencyMs: 120.4,
    listing: { name: '@SUM(A1:A9)', address: '-1+1\nmore', phone: '\t=cmd', url: 'https://a.com/x' },
    fields: { name: 'match', phone: 'mismatch' },
  },
];

describe('toCsv', () => {
  it('writes one row per result with a header, escaping every formula start', () => {
    const csv = toCsv(resultRows(search, results));
    const [header, row] = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data;
    const cell = (name: string) => row![header!.indexOf(name)];
    expect(cell('business_name')).toBe(`'=HYPERLINK("http://evil")`);
    expect(cell('business_phone')).toBe(`'+1 512 555 0134`);
    expect(cell('listing_name')).toBe(`'@SUM(A1:A9)`);
    // A newline after the formula does not get it past the escape.
    expect(cell('listing_address')).toBe(`'-1+1\nmore`);
    expect(cell('listing_phone')).toBe(`'\t=cmd`);
    expect(cell('latency_ms')).toBe('120');
    expect(cell('name_verdict')).toBe('match');
    expect(cell('address_verdict')).toBe('');
    expect(csv.split('\r\n')[0]).toMatch(/^search_id,business_name,/);
  });
});

describe('resultRows', () => {
  it('gives each site its change since the previous scan, and leaves the columns empty without one', () => {
    const previous = { id: 'p'.repeat(22), createdAt: Date.UTC(2026, 10, 3), sites: [{ siteId: 'a.com', outcome: 'found' as const, wrong: [] }] };
    const [row] = resultRows(search, results, previous);
    expect([row?.previous_search_id, row?.previous_searched_at, row?.previous_outcome, row?.change_since_previous]).toStrictEqual([
      previous.id,
      '2026-11-03T00:00:00.000Z',
      'found',
      'worse',
    ]);
    const [alone] = resultRows(search, results);
    expect([alone?.previous_search_id, alone?.change_since_previous]).toStrictEqual(['', '']);
  });
});

describe('exportFileName', () => {
  it('keeps only a safe slug of the name', () => {
    expect(exportFileName('Blue Door Bakery, "Austin"/..', 'abc', 'csv')).toBe('sitescan-blue-door-bakery-austin-abc.csv');
    expect(exportFileName('東京', 'abc', 'json')).toBe('sitescan-abc.json');
  });
});
