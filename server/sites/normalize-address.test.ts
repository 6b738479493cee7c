import { describe, expect, it } from 'vitest';
import { normalizeCity, normalizeStreet, parseAddress, sameStreet, sameUnit } from './normalize-address';

describe('parseAddress', () => {
  it.each([
    ['Austin, TX', { city: 'AUSTIN', state: 'TX' }],
    ['Austin TX 78701', { city: 'AUSTIN', state: 'TX', zip: '78701' }],
    ['austin texas', { city: 'AUSTIN', state: 'TX' }],
    ['78701', { zip: '78701' }],
    ['TX 78701-1234', { state: 'TX', zip: '78701' }],
    ['Austin', { city: 'AUSTIN' }],
    ['Washington DC', { city: 'WASHINGTON', state: 'DC' }],
    ['Raleigh, North Carolina', { city: 'RALEIGH', state: 'NC' }],
    [
      '1200 W Main St Ste 4, Austin, TX 78701',
      { street: '1200 W MAIN ST', unit: 'STE 4', city: 'AUSTIN', state: 'TX', zip: '78701' },
    ],
    [
      '1200 West Main Street, Suite 4, Austin, TX 78701',
      { street: '1200 W MAIN ST', unit: 'STE 4', city: 'AUSTIN', state: 'TX', zip: '78701' },
    ],
    [
      '1200 W. Main St. #4, Austin TX 78701-1234, USA',
      { street: '1200 W MAIN ST', unit: '# 4', city: 'AUSTIN', state: 'TX', zip: '78701' },
    ],
    [
      '1200 W Main St Suite #4 Austin TX 78701',
      { street: '1200 W MAIN ST', unit: 'STE 4', city: 'AUSTIN', state: 'TX', zip: '78701' },
    ],
    [
      '350 Fifth Avenue, 2nd Floor, New York, NY 10118',
      { street: '350 5TH AVE', unit: 'FL 2', city: 'NEW YORK', state: 'NY', zip: '10118' },
    ],
    ['1200 Main St Park City UT', { street: '1200 MAIN ST', city: 'PARK CITY', state: 'UT' }],
    ['500 Highway 290 W Austin TX', { street: '500 HWY 290 W', city: 'AUSTIN', state: 'TX' }],
    ['1200 Oak Ct', { street: '1200 OAK CT' }],
    ['1200 Main St Hartford CT', { street: '1200 MAIN ST', city: 'HARTFORD', state: 'CT' }],
    ['Plaza Tower, 1200 Main St, Austin, TX', { street: '1200 MAIN ST', city: 'AUSTIN', state: 'TX' }],
    ['1200 Main St\nAustin, TX 78701', { street: '1200 MAIN ST', city: 'AUSTIN', state: 'TX', zip: '78701' }],
    ['PO Box 45, Austin TX', { street: 'PO BOX 45', city: 'AUSTIN', state: 'TX' }],
    ['St. Louis, MO', { city: 'ST LOUIS', state: 'MO' }],
    ['downtown Austin', { city: 'AUSTIN' }],
    ['--', {}],
  ])('%j', (text, expected) => {
    expect(parseAddress(text)).toEqual(expected);
  });
});

describe('normalizeStreet', () => {
  it.each([
    ['1200 West Main Street', '1200 W MAIN ST'],
    ['45 Riverside Parkway', '45 RIVERSIDE PKWY'],
    ['9 Sunset Boulevard Northeast', '9 SUNSET BLVD NE'],
    ['7 Oak Lane', '7 OAK LN'],
    ['7 Elm Terrace', '7 ELM TER'],
    ['12 Town Square', '12 TOWN SQ'],
    // Two suffix words: only the last is the suffix.
    ['100 Park Avenue', '100 PARK AVE'],
    ['100 Avenue Road', '100 AVENUE RD'],
    // A lone word is the name, even when it is a suffix or directional word.
    ['100 North Street', '100 NORTH ST'],
    ['100 Park', '100 PARK'],
    ['100 Avenue of the Americas', '100 AVE OF THE AMERICAS'],
    ['1200 Main St Ste 4', '1200 MAIN ST'],
  ])('%s → %s', (text, expected) => {
    expect(normalizeStreet(text)).toBe(expected);
  });
});

describe('sameStreet', () => {
  it.each([
    ['1200 W MAIN ST', '1200 MAIN ST', true],
    ['1200 MAIN', '1200 MAIN ST', true],
    ['MAIN ST', '1200 MAIN ST', true],
    ['1200 W MAIN ST', '1200 E MAIN ST', false],
    ['1200 MAIN ST', '1200 MAIN AVE', false],
    ['1200 MAIN ST', '1210 MAIN ST', false],
    ['1200 MAIN ST N', '1200 MAIN ST S', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(sameStreet(a, b)).toBe(expected);
  });
});

describe('sameUnit', () => {
  it('compares values whatever the designator', () => {
    expect(sameUnit('STE 4', '# 4')).toBe(true);
    expect(sameUnit('UNIT 4', 'STE 4')).toBe(true);
    expect(sameUnit('STE 4', 'STE 9')).toBe(false);
  });
});

describe('normalizeCity', () => {
  it('abbreviates Saint, Fort and Mount and drops search-box qualifiers', () => {
    expect(normalizeCity('Saint Paul')).toBe('ST PAUL');
    expect(normalizeCity('Fort Worth')).toBe('FT WORTH');
    expect(normalizeCity('Greater Austin area')).toBe('AUSTIN');
    expect(normalizeCity('West Palm Beach')).toBe('WEST PALM BEACH');
  });
});
