/**
 * Checks a site definition against the live site: fetches one search page the way sitescan does
 * (same request, same limits on redirects and size) and prints what it recognised — results page,
 * no-results page, bot wall or unrecognised page — and each listing read from it with its field
 * verdicts against the business. How a user writes and maintains a `SITES_FILE` entry.
 *
 *   npm run site:check -- sites.json "Blue Door Bakery" --location "Austin, TX" [--phone …] [--website …] [--site <id>]
 *
 * The file is a `SITES_FILE` (an array) or one definition; `--site` picks one of several.
 * Everything the site says is printed as plain text with control characters removed, so a page
 * cannot write escape sequences to the terminal.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { BusinessQuery } from '../lib/types';
import { buildSearchUrl } from '../server/sites/connector';
import { matchListing } from '../server/sites/match';
import { readPage } from '../server/sites/page-recognition';
import type { DeclarativeSiteDefinition, SiteDefinition } from '../server/sites/site-definition';
import { fetchFromSite } from '../server/sites/site-fetch';
import { parseSiteDefinitions } from '../server/sites/site-registry';

const USAGE = 'usage: npm run site:check -- <definition file> "<business>" [--location …] [--phone …] [--website …] [--site <id>]';

/** Site text safe for a terminal: no control characters (ANSI escapes, carriage returns). */
const printable = (text: string) => text.replaceAll(/\p{Cc}/gu, (char) => (char === '\n' || char === '\t' ? char : '?'));

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { location: { type: 'string' }, phone: { type: 'string' }, website: { type: 'string' }, site: { type: 'string' } },
  });
  const [file, name] = positionals;
  if (!file || !name) {
    console.error(USAGE);
    return 2;
  }
  const definition = pick(await loadDefinitions(file), values.site, file);
  const query: BusinessQuery = {
    name,
    ...(values.location ? { location: values.location } : {}),
    ...(values.phone ? { phone: values.phone } : {}),
    ...(values.website ? { website: values.website } : {}),
  };
  const url = buildSearchUrl(definition.search.url, query);
  console.log(`site      ${definition.id} (${definition.kind})`);
  console.log(`request   GET ${url.href}`);
  const response = await fetchFromSite(definition.id, { url, headers: { accept: definition.kind === 'json' ? 'application/json' : 'text/html', 'user-agent': 'sitescan/0.1 (listing scan)' } }, {
    signal: new AbortController().signal,
    timeoutMs: definition.timeoutMs,
  });
  console.log(`answer    ${response.status}, ${response.text.length} characters${response.url.href === url.href ? '' : ` from ${response.url.href}`}`);
  const reading = readPage(definition, response.text, response.url);
  switch (reading.kind) {
    case 'results':
    case 'no-results':
      console.log(`page      ${reading.kind === 'results' ? 'results page' : 'no-results page'} (${printable(reading.evidence)})`);
      reading.listings.forEach((listing, index) => {
        const result = matchListing(query, listing);
        console.log(`\n#${index + 1} ${printable(listing.name)} → ${result.outcome} (score ${result.score.toFixed(2)})`);
        for (const field of ['address', 'phone', 'website', 'url'] as const) {
          if (listing[field]) console.log(`   ${field.padEnd(8)} ${printable(listing[field])}`);
        }
        console.log(`   verdicts ${Object.entries(result.fields).map(([field, verdict]) => `${field} ${verdict}`).join(', ')}`);
      });
      return 0;
    case 'wall':
      console.log(`page      bot wall: ${reading.wall} (${printable(reading.evidence)}) — sitescan retries it as push-back, then reports "blocked (captcha)"`);
      return 1;
    case 'unrecognised':
      console.log(`page      not recognised (layout changed?): ${printable(reading.detail)}`);
      console.log('          declare pages.resultsPage / pages.noResults markers, or fix extract.item');
      return 1;
  }
}

async function loadDefinitions(file: string): Promise<SiteDefinition[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseSiteDefinitions(Array.isArray(json) ? json : [json], file);
}

function pick(definitions: readonly SiteDefinition[], id: string | undefined, file: string): DeclarativeSiteDefinition {
  const ids = definitions.map((definition) => definition.id).join(', ');
  const chosen = id === undefined && definitions.length === 1 ? definitions[0] : definitions.find((definition) => definition.id === id);
  if (!chosen) throw new Error(id === undefined ? `${file} defines ${definitions.length} sites (${ids}); choose one with --site` : `${file} has no site ${id}; it has ${ids}`);
  if (chosen.kind !== 'html' && chosen.kind !== 'json') throw new Error(`site ${chosen.id} is searched by the ${chosen.kind} adapter; site:check reads html and json definitions`);
  return chosen;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
