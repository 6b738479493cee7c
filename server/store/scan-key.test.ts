import { describe, expect, it } from 'vitest';
import { scanKeyOf, scanKeyParts } from './scan-key';

describe('scanKeyOf', () => {
  const joes = { name: "Joe's Pizza", location: 'Brooklyn, NY', phone: '(718) 555-0134', website: 'https://www.joespizza.com/menu' };

  it.each([
    ['case and spacing', { ...joes, name: "JOE'S   pizza", location: 'brooklyn ny' }],
    ['apostrophes typed or not', { ...joes, name: 'Joe’s Pizza' }],
    ['without the apostrophe', { ...joes, name: 'Joes Pizza' }],
    ['the phone in another format', { ...joes, phone: '+1 718-555-0134' }],
    ['the website written another way', { ...joes, website: 'joespizza.com' }],
    ['accents in the same word', { ...joes, name: "Jóe's Pizza" }],
  ])('is the same for %s', (_label, query) => {
    expect(scanKeyOf(query)).toBe(scanKeyOf(joes));
  });

  it.each([
    ['another location', { ...joes, location: 'Queens, NY' }],
    ['no phone', { name: joes.name, location: joes.location, website: joes.website }],
    ['another phone', { ...joes, phone: '(718) 555-0199' }],
    ['another name', { ...joes, name: "Joe's Pizzeria" }],
    ['the words of name and location swapped across fields', { ...joes, name: "Joe's Pizza Brooklyn", location: 'NY' }],
  ])('differs for %s', (_label, query) => {
    expect(scanKeyOf(query)).not.toBe(scanKeyOf(joes));
  });

  it('treats an empty field as an absent one, and is a fixed-length hex digest', () => {
    expect(scanKeyOf({ name: 'Joe', location: '', phone: ' ', website: '' })).toBe(scanKeyOf({ name: 'Joe' }));
    expect(scanKeyOf(joes)).toMatch(/^[0-9a-f]{64}$/);
    expect(scanKeyParts(joes)).toStrictEqual(['joes pizza', 'brooklyn ny', '+17185550134', 'joespizza.com']);
  });
});
