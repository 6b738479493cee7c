import { describe, expect, it } from 'vitest';
import { formatAddress, toListing } from './listing-fields';

describe('toListing', () => {
  it('keeps the fields that hold text, in NAP order', () => {
    const listing = toListing({ url: 'https://dir.test/1', phone: '', website: undefined, address: '12 Main St', name: 'Blue Door' });
    expect(listing).toEqual({ name: 'Blue Door', address: '12 Main St', url: 'https://dir.test/1' });
    expect(Object.keys(listing!)).toEqual(['name', 'address', 'url']);
  });

  it('is no listing without a name', () => {
    expect(toListing({ address: '12 Main St', phone: '(512) 555-0134' })).toBeUndefined();
    expect(toListing({ name: '' })).toBeUndefined();
  });
});

describe('formatAddress', () => {
  it('writes one line: street with unit, city, state and ZIP', () => {
    expect(formatAddress({ houseNumber: '1200', street: 'W Main St', unit: 'Ste 4', city: 'Austin', state: 'TX', zip: '78701' })).toBe(
      '1200 W Main St Ste 4, Austin, TX 78701',
    );
  });

  it('leaves out the parts it does not have, and is nothing without any', () => {
    expect(formatAddress({ street: '12 Elm St', zip: '78701' })).toBe('12 Elm St, 78701');
    expect(formatAddress({ city: 'Austin', state: 'Texas' })).toBe('Austin, Texas');
    expect(formatAddress({})).toBeUndefined();
  });

  it('comes out as one line of site text', () => {
    expect(formatAddress({ street: '12  Elm\nSt', city: 'Austin' })).toBe('12 Elm St, Austin');
  });
});
