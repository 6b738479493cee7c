import { describe, expect, it } from 'vitest';
import { extractHtml, extractJson, readPath } from './extract';

describe('extractHtml', () => {
  const rules = { item: '.result', name: '.name', address: '.addr', phone: '.tel', url: 'a@href', website: '@data-site' };

  it('reads text, attributes of a match and of the item itself', () => {
    const html = `<ul>
      <li class="result" data-site="https://blue.example"><a href="/l/1"><span class="name"> Blue   Door
      Bakery </span></a><p class="addr">12 Main St</p><p class="tel">(512) 555-0134</p></li>
      <li class="result"><span class="name">Other</span></li>
    </ul>`;
    expect(extractHtml(html, rules)).toEqual([
      { name: 'Blue Door Bakery', address: '12 Main St', phone: '(512) 555-0134', url: '/l/1', website: 'https://blue.example' },
      { name: 'Other' },
    ]);
  });

  it('keeps markup in site data as plain text', () => {
    const html = `<div class="result"><span class="name">&lt;script&gt;alert(1)&lt;/script&gt;</span><p class="addr"><b>12</b> Main St</p></div>`;
    const [listing] = extractHtml(html, rules);
    expect(listing!.name).toBe('<script>alert(1)</script>');
    expect(listing!.address).toBe('12 Main St');
  });

  it('skips items without a name and survives broken markup', () => {
    expect(extractHtml('<div class="result"><p class="addr">x</p></div><div class="result"><span class="name">A', rules)).toEqual([
      { name: 'A' },
    ]);
  });
});

describe('extractJson', () => {
  it('follows dot paths, indexes arrays and joins string arrays', () => {
    const body = {
      data: {
        items: [
          { title: 'Blue Door', location: { display: ['12 Main St', 'Austin, TX'] }, contacts: [{ phone: [{ value: '+15125550134' }] }] },
        ],
      },
    };
    expect(
      extractJson(body, { items: 'data.items', name: 'title', address: 'location.display', phone: 'contacts.0.phone.0.value' }),
    ).toEqual([{ name: 'Blue Door', address: '12 Main St, Austin, TX', phone: '+15125550134' }]);
  });

  it('answers nothing when the path does not lead to an array', () => {
    expect(extractJson({ data: { items: 'nope' } }, { items: 'data.items', name: 'title' })).toEqual([]);
    expect(extractJson([{ title: 'Root' }], { items: '', name: 'title' })).toEqual([{ name: 'Root' }]);
  });

  it('never walks into the prototype chain of site data', () => {
    expect(readPath({}, 'constructor.name')).toBeUndefined();
    expect(readPath({ a: 1 }, '__proto__')).toBeUndefined();
  });
});

describe('extractHtml with jsonLd', () => {
  const rules = { item: '.result', name: '.name', address: '.addr', jsonLd: true };
  const page = new URL('https://dir.example/search?q=blue');
  const script = (json: unknown) => `<script type="application/ld+json">${JSON.stringify(json)}</script>`;

  it('reads LocalBusiness objects (and subtypes) from arrays, @graph and ItemLists', () => {
    const html = `<html><head>
      ${script({ '@context': 'https://schema.org', '@type': 'Organization', name: 'Dir Example Inc' })}
      ${script({
        '@context': 'https://schema.org',
        '@graph': [
          { '@type': 'WebPage', name: 'Search results' },
          {
            '@type': 'ItemList',
            itemListElement: [
              {
                '@type': 'ListItem',
                position: 1,
                item: {
                  '@type': ['Bakery', 'LocalBusiness'],
                  name: 'Blue Door Bakery',
                  telephone: '(512) 555-0134',
                  url: 'https://www.bluedoorbakery.com',
                  address: {
                    '@type': 'PostalAddress',
                    streetAddress: '1200 W Main St Ste 4',
                    addressLocality: 'Austin',
                    addressRegion: 'TX',
                    postalCode: '78701',
                  },
                },
              },
              { '@type': 'ListItem', position: 2, item: { '@type': 'Dentist', name: 'Lone Star Dental', url: '/biz/lone-star-dental-7', address: '12 Elm St, Austin, TX' } },
            ],
          },
        ],
      })}
      </head><body><div class="result"><span class="name">Selector Listing</span></div></body></html>`;
    expect(extractHtml(html, rules, page)).toEqual([
      {
        name: 'Blue Door Bakery',
        address: '1200 W Main St Ste 4, Austin, TX 78701',
        phone: '(512) 555-0134',
        website: 'https://www.bluedoorbakery.com/',
      },
      { name: 'Lone Star Dental', address: '12 Elm St, Austin, TX', url: 'https://dir.example/biz/lone-star-dental-7' },
    ]);
  });

  it('falls back to the selectors when the page has no business in JSON-LD, and skips broken blocks', () => {
    const html = `<script type="application/ld+json">{"@type": "LocalBusiness", "name": </script>
      ${script({ '@type': 'WebSite', name: 'Dir' })}
      <div class="result"><span class="name">Blue Door Bakery</span><p class="addr">1200 W Main St</p></div>`;
    expect(extractHtml(html, rules, page)).toEqual([{ name: 'Blue Door Bakery', address: '1200 W Main St' }]);
  });

  it('ignores JSON-LD unless asked, and drops non-web links', () => {
    const html = `${script({ '@type': 'LocalBusiness', name: 'From JSON-LD', url: 'javascript:alert(1)' })}
      <div class="result"><span class="name">From markup</span></div>`;
    expect(extractHtml(html, { item: '.result', name: '.name' }, page)).toEqual([{ name: 'From markup' }]);
    expect(extractHtml(html, rules, page)).toEqual([{ name: 'From JSON-LD' }]);
  });
});
