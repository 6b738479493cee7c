import { describe, expect, it } from 'vitest';
import { parseBulkCsv } from './bulk-csv';

describe('parseBulkCsv', () => {
  it('reads the rows by header, in any column order, and reports bad ones by line', () => {
    const csv = [
      'Phone,NAME,location,notes',
      '512-555-0134,Blue Door Bakery,"Austin, TX",ignored',
      ',,,',
      ',"",Dallas,',
      '"(512) 555-0199","Two\nLine Cafe",Austin,',
      `,${'x'.repeat(201)},,`,
      ',Corner Deli,,',
      '',
    ].join('\r\n');
    const result = parseBulkCsv(csv);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toEqual([
      { line: 2, query: { name: 'Blue Door Bakery', location: 'Austin, TX', phone: '512-555-0134' } },
      { line: 5, query: { name: 'Two\nLine Cafe', location: 'Austin', phone: '(512) 555-0199' } },
      { line: 8, query: { name: 'Corner Deli' } },
    ]);
    expect(result.errors).toEqual([
      { line: 4, message: 'name: name is required' },
      { line: 7, message: 'name: name must be at most 200 characters' },
    ]);
  });

  it('reports an unterminated quote on its line and keeps the rows before it', () => {
    const result = parseBulkCsv('name,location\nGood Cafe,Austin\n"Broken,Austin\n');
    expect(result.ok && result.rows.map((r) => r.line)).toEqual([2]);
    expect(result.ok && result.errors).toEqual([{ line: 3, message: expect.stringMatching(/quote/i) }]);
  });

  it('reports a name without a letter or digit (zero-width, NUL) on its line, as the form does', () => {
    const result = parseBulkCsv('name,location\n\u200B\u200B,Austin\nGood Cafe,Austin\n"\u0000",Austin\n');
    expect(result.ok && result.rows.map((r) => r.query.name)).toEqual(['Good Cafe']);
    expect(result.ok && result.errors).toEqual([
      { line: 2, message: 'name: name must contain a letter or a digit' },
      { line: 4, message: 'name: name must contain a letter or a digit' },
    ]);
  });

  it('refuses a file it cannot use as a whole, saying why', () => {
    expect(parseBulkCsv('')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(parseBulkCsv('business,city\nA,B')).toMatchObject({ ok: false, message: expect.stringMatching(/no "name" column \(found: business, city\)/) });
    expect(parseBulkCsv('name\n\n')).toMatchObject({ ok: false, message: expect.stringMatching(/no businesses/) });
    expect(parseBulkCsv('name\na\nb\nc', { maxRows: 2 })).toMatchObject({ ok: false, message: expect.stringMatching(/more than 2 businesses/) });
  });
});
