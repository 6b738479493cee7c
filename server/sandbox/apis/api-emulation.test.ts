import { describe, expect, it } from 'vitest';
import { e164Phone, internationalPhone, nationalPhone, namesPlace, splitFreeText, splitStreet, stableId, stableNumber } from './api-emulation';
import { nameTest, OverpassSyntaxError, parseOverpassQuery } from './overpass-ql';

describe('splitFreeText', () => {
  it.each([
    ['Blue Door Bakery, Austin, TX', 'Blue Door Bakery', 'Austin, TX'],
    ['Smith & Sons Plumbing, LLC, Austin, TX', 'Smith & Sons Plumbing', 'LLC, Austin, TX'],
    ['Blue Door Bakery in Portland, ME', 'Blue Door Bakery', 'Portland, ME'],
    ['Dallas BBQ near Austin', 'Dallas BBQ', 'Austin'],
    ['Blue Door Bakery Austin TX', 'Blue Door Bakery', 'Austin TX'],
    ['Blue Door Bakery 78701', 'Blue Door Bakery', '78701'],
    ['Blue Door Bakery, Texas', 'Blue Door Bakery', 'Texas'],
    ['Blue Door Bakery', 'Blue Door Bakery', ''],
    ['Blue Door Bakery, Gotham', 'Blue Door Bakery, Gotham', ''],
  ])('%s → name %s, where %s', (text, name, where) => {
    expect(splitFreeText(text)).toEqual({ name, where });
  });

  it('knows places: cities, states and the dataset’s ZIPs only', () => {
    expect(namesPlace('Austin, TX')).toBe(true);
    expect(namesPlace('Oregon')).toBe(true);
    expect(namesPlace('78701')).toBe(true);
    expect(namesPlace('99999')).toBe(false);
    expect(namesPlace('Gotham')).toBe(false);
  });
});

describe('address and phone helpers', () => {
  it('splits a street line into number, street and unit', () => {
    expect(splitStreet('1200 W Main St Ste 4')).toEqual({ houseNumber: '1200', road: 'W Main St', unit: 'Ste 4' });
    expect(splitStreet('15 Oak Ave # 3')).toEqual({ houseNumber: '15', road: 'Oak Ave', unit: '# 3' });
    expect(splitStreet('15 Oak Ave #3')).toEqual({ houseNumber: '15', road: 'Oak Ave', unit: '#3' });
    expect(splitStreet('400 Martin Luther King Jr Blvd Suite 210')).toEqual({ houseNumber: '400', road: 'Martin Luther King Jr Blvd', unit: 'Suite 210' });
    expect(splitStreet('1200 West Main Street')).toEqual({ houseNumber: '1200', road: 'West Main Street' });
    expect(splitStreet('Main Street')).toEqual({ road: 'Main Street' });
  });

  it('writes one number in the APIs’ formats', () => {
    for (const phone of ['(512) 871-2345', '512.871.2345', '+1 512-871-2345', '+15128712345']) {
      expect(nationalPhone(phone)).toBe('(512) 871-2345');
      expect(e164Phone(phone)).toBe('+15128712345');
      expect(internationalPhone(phone)).toBe('+1 512-871-2345');
    }
  });

  it('makes stable ids of the asked length and alphabet', () => {
    expect(stableId([1, 'yelp', 'b000001'], 22, 'base64url')).toBe(stableId([1, 'yelp', 'b000001'], 22, 'base64url'));
    expect(stableId([1, 'yelp', 'b000001'], 22, 'base64url')).toMatch(/^[\w-]{22}$/);
    expect(stableId([1, 'fsq', 'b000001'], 24, 'hex')).toMatch(/^[0-9a-f]{24}$/);
    expect(stableId([1, 'x', 'b000001'], 40)).not.toBe(stableId([1, 'x', 'b000002'], 40));
    const n = stableNumber([1, 'osm', 'b000001'], 12_000_000_000);
    expect(Number.isSafeInteger(n) && n >= 1 && n < 12_000_000_000).toBe(true);
  });
});

describe('Overpass QL subset', () => {
  it('reads a name regex, an area and the out statement', () => {
    const query = parseOverpassQuery('[out:json][timeout:25];area["name"="Austin"]["boundary"="administrative"]->.a;nwr["name"~"Blue Door",i](area.a);out center 10;');
    expect(query).toEqual({
      json: true,
      name: { operator: '~', value: 'Blue Door', caseInsensitive: true },
      addr: {},
      areas: ['Austin'],
      out: { center: true, tagsOnly: false, limit: 10 },
    });
  });

  it('reads an exact name, a bbox, around, addr filters and XML output', () => {
    expect(parseOverpassQuery('node[name="Blue Door Bakery"](30.1,-97.9,30.5,-97.5);out;')).toMatchObject({
      json: false,
      name: { operator: '=', value: 'Blue Door Bakery', caseInsensitive: false },
      bbox: [30.1, -97.9, 30.5, -97.5],
    });
    expect(parseOverpassQuery('[out:json];nwr["name"~"Cafe"]["addr:city"="Austin"](around:2000,30.27,-97.74);out tags;')).toMatchObject({
      addr: { 'addr:city': 'Austin' },
      around: { radiusM: 2000, lat: 30.27, lon: -97.74 },
      out: { center: false, tagsOnly: true },
    });
    expect(parseOverpassQuery('[out:json];area["ISO3166-2"="US-TX"]->.s;nwr["name"~"x"](area.s);out;').areas).toEqual(['US-TX']);
    expect(parseOverpassQuery(String.raw`[out:json];nwr["name"~"Tom\"s"];out;`).name?.value).toBe('Tom"s');
  });

  it('tests names by =, ~, ~ with i, and their negations', () => {
    expect(nameTest({ operator: '=', value: 'Blue Door', caseInsensitive: false })('Blue Door')).toBe(true);
    expect(nameTest({ operator: '=', value: 'Blue Door', caseInsensitive: false })('blue door')).toBe(false);
    expect(nameTest({ operator: '~', value: '^blue', caseInsensitive: true })('Blue Door')).toBe(true);
    expect(nameTest({ operator: '!~', value: 'Door', caseInsensitive: false })('Blue Door')).toBe(false);
    expect(nameTest({ operator: '!=', value: 'X', caseInsensitive: false })('Blue Door')).toBe(true);
  });

  it('refuses empty queries, unbalanced quotes and bad regular expressions', () => {
    expect(() => parseOverpassQuery('  ')).toThrow(OverpassSyntaxError);
    expect(() => parseOverpassQuery('[out:json];nwr["name"~"Blue];out;')).toThrow(/parse error/);
    expect(() => nameTest({ operator: '~', value: '(unclosed', caseInsensitive: false })).toThrow(/Invalid regular expression/);
  });
});
