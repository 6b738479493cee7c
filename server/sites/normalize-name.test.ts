import { describe, expect, it } from 'vitest';
import { compareNames, normalizeName } from './normalize-name';

describe('normalizeName', () => {
  it.each([
    ['Smith & Sons Plumbing LLC', 'smith and sons plumbing'],
    ['Smith & Sons Plumbing, L.L.C.', 'smith and sons plumbing'],
    ["Joe's Pizza, Inc.", 'joes pizza'],
    ['Acme Widgets Co.', 'acme widgets'],
    ['Smith & Co.', 'smith'],
    ['Hill Law Firm PLLC', 'hill law firm'],
    ['The Blue Door Bakery', 'blue door bakery'],
    ['Café Olé', 'cafe ole'],
    // A name made only of dropped words stays whole rather than becoming empty.
    ['The Company', 'the company'],
  ])('%s → %s', (name, expected) => {
    expect(normalizeName(name)).toBe(expected);
  });
});

describe('compareNames', () => {
  it.each([
    ['Smith & Sons Plumbing LLC', 'Smith and Sons Plumbing', true],
    ['Smith & Sons Plumbing', 'Smith & Sons Plumbng', true],
    ['Blue Door Bakery', 'Blue Door Bakery & Cafe', true],
    ['Lone Star Dental', 'Lone Star Dental Care', true],
    ['BlueDoor Bakery', 'Blue Door Bakery', true],
    ['La Taqueria', 'Taqueria La', true],
    ['Blue Door Bakery', 'Blue Door Barbers', false],
    ['Blue Door', 'Blue Door Barbers', false],
    ['Smith Plumbing', 'Smith Electric', false],
    ['Studio 54', 'Studio 45', false],
    ['River City Auto Repair', 'River City Auto Body', false],
    ['Smith Plumbing', 'Smith Plumbing Supply', false],
    ['Perez Roofing & Gutters', 'Lopez Roofing & Gutters', false],
    ['Treasure Valley Flowers', 'Treasure Valley Flower Shop', true],
  ])('%s vs %s → %s', (a, b, pass) => {
    expect(compareNames(a, b).pass).toBe(pass);
    expect(compareNames(b, a).pass).toBe(pass);
  });

  it('reports the subset trap: set score 100, yet no pass', () => {
    expect(compareNames('Blue Door', 'Blue Door Barbers')).toMatchObject({ setScore: 100, pass: false });
  });

  it.each([
    ['Smith & Sons Plumbing LLC', 'Smith and Sons Plumbing', true],
    ['Smith & Sons Plumbing', 'Smith & Sons Plumbng', true],
    ['BlueDoor Bakery', 'Blue Door Bakery', true],
    ['La Taqueria', 'Taqueria La', true],
    ['Blue Door Bakery', 'Blue Door Bakery & Cafe', false],
    ['Treasure Valley Flowers', 'Treasure Valley Flower Shop', false],
  ])('%s vs %s passes strictly (same words): %s', (a, b, strict) => {
    expect(compareNames(a, b).strict).toBe(strict);
  });

  it('never passes an empty name', () => {
    expect(compareNames('', 'Blue Door').pass).toBe(false);
  });
});
