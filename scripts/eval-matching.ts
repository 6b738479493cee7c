/**
 * Scores the NAP matcher against the sandbox's ground truth and prints precision and recall per
 * outcome, a confusion matrix and the worst error classes; writes the same to
 * `bench/results/eval-matching.json`.
 *
 *   dataset (seed 1, 10,000 businesses, the sandbox sites)
 *     ├─ queries: a business as its owner types it — name + "City, ST", sometimes the full
 *     │  street, the phone, the website (seeded draws)
 *     ├─ pairwise: query × listing ──► matchListing
 *     │    positives  its own listing on each site      expected from the listing's variations
 *     │    negatives  near-namesakes in the same city, the same name in other cities,
 *     │               random businesses of the same city                 expected not_found
 *     └─ bestMatch: query × a site's candidate list (the 10 same-city listings most like the
 *        name, plus same-name listings elsewhere) ──► bestMatch; right only when it picks the
 *        business's own listing (or none when the site does not list it)
 *
 * Expected outcome of a positive: `partial` when a variation that is not `equivalent` touches a
 * field the query supplied at the detail the query gave (an old street only matters when the
 * query has a street; a dropped suite only when its street has one), else `found`.
 *
 * Then the held-out set (`scripts/eval-held-out.ts`): pairs composed from published variation
 * facts, not from the sandbox's generator, with the matcher's cost per comparison.
 *
 * Run: `npx tsx scripts/eval-matching.ts [--queries N] [--top N]` (defaults 2000 queries, 5 classes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { token_set_ratio } from 'fuzzball';
import type { BusinessQuery, Listing, Outcome } from '../lib/types';
import { createDataset, type SandboxBusiness, type SandboxDataset, type SandboxListing } from '../server/sandbox/dataset';
import { createRng } from '../server/sandbox/rng';
import { SANDBOX_SITES } from '../server/sandbox/sandbox-sites';
import { bestMatch, matchListing } from '../server/sites/match';
import { normalizeName } from '../server/sites/normalize-name';
import { evaluateHeldOut } from './eval-held-out';

const SEED = 1;
const SIZE = 10_000;
/** Candidates a site's search returns for one query. */
const CANDIDATES = 10;
/** token_set_ratio of two names from which they count as near-namesakes. */
const NAMESAKE_MIN = 70;
const OUTCOMES: readonly Outcome[] = ['found', 'partial', 'not_found'];

type PairKind = 'own listing' | 'near-namesake, same city' | 'same name, other city' | 'other business, same city';

interface QueryCase {
  readonly business: SandboxBusiness;
  readonly query: BusinessQuery;
  /** Which parts the query supplied. */
  readonly shape: { readonly street: boolean; readonly phone: boolean; readonly website: boolean };
}

interface Judged {
  readonly mode: 'pairwise' | 'bestMatch';
  readonly kind: PairKind | 'not listed';
  readonly expected: Outcome;
  readonly predicted: Outcome;
  /** bestMatch only: the chosen listing is not the business's own. */
  readonly wrongListing: boolean;
  /** Variations (kinds) on supplied fields that made the expectation `partial`. */
  readonly variations: readonly string[];
  readonly shape: string;
  /** Kept for errors only: the report shows one per error class. */
  readonly example?: Example;
}

interface Example {
  readonly query: BusinessQuery;
  readonly listing?: Listing;
  readonly fields?: unknown;
  readonly score?: number;
}

/** A judgement, with its example when it is an error. */
function judge(entry: Omit<Judged, 'example'>, example: () => Example): Judged {
  return predictedClass(entry) === entry.expected ? entry : { ...entry, example: example() };
}

/** The dataset and its indexes, shared by every query's judgements. */
interface Universe {
  readonly dataset: SandboxDataset;
  readonly sites: readonly string[];
  readonly byCity: Map<string, SandboxBusiness[]>;
  readonly byName: Map<string, SandboxBusiness[]>;
}

/** The other businesses a query is judged against: its negatives and a site's candidates. */
interface Neighbours {
  readonly sameCity: readonly SandboxBusiness[];
  /** token_set_ratio of the business's name and each same-city business's, by id. */
  readonly similarity: Map<string, number>;
  readonly namesakes: readonly SandboxBusiness[];
  readonly sameNameElsewhere: readonly SandboxBusiness[];
  readonly randomNeighbour: SandboxBusiness | undefined;
}

function main(): void {
  const queryCount = numberArgument('--queries') ?? 2000;
  const top = numberArgument('--top') ?? 5;
  const started = performance.now();
  const universe = loadUniverse();
  const rng = createRng(SEED, 'eval-matching');
  const cases: QueryCase[] = [];
  for (let i = 0; i < queryCount; i++) cases.push(makeQuery(universe.dataset.businesses[rng.int(0, universe.dataset.businesses.length - 1)]!, rng));
  const judged = cases.flatMap((queryCase) => judgeCase(universe, queryCase, rng));
  const report = { ...reportOf(judged, queryCount, top, started), heldOut: evaluateHeldOut() };
  print(report);
  printHeldOut(report.heldOut);
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'results', 'eval-matching.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);
}

function loadUniverse(): Universe {
  const dataset = createDataset({ seed: SEED, size: SIZE, sites: SANDBOX_SITES });
  const byCity = new Map<string, SandboxBusiness[]>();
  const byName = new Map<string, SandboxBusiness[]>();
  for (const business of dataset.businesses) {
    push(byCity, cityKey(business), business);
    push(byName, normalizeName(business.name), business);
  }
  return { dataset, sites: SANDBOX_SITES.map((site) => site.id), byCity, byName };
}

function neighboursOf(universe: Universe, business: SandboxBusiness, rng: ReturnType<typeof createRng>): Neighbours {
  const sameCity = universe.byCity.get(cityKey(business))!.filter((other) => other.id !== business.id);
  const similarity = new Map(sameCity.map((other) => [other.id, token_set_ratio(business.name, other.name)]));
  return {
    sameCity,
    similarity,
    namesakes: sameCity.filter((other) => similarity.get(other.id)! >= NAMESAKE_MIN),
    sameNameElsewhere: (universe.byName.get(normalizeName(business.name)) ?? []).filter((other) => cityKey(other) !== cityKey(business)),
    randomNeighbour: sameCity[rng.int(0, sameCity.length - 1)],
  };
}

/** Every judgement of one query: on each site, pairwise against listings, then bestMatch. */
function judgeCase(universe: Universe, queryCase: QueryCase, rng: ReturnType<typeof createRng>): Judged[] {
  const neighbours = neighboursOf(universe, queryCase.business, rng);
  return universe.sites.flatMap((site) => [
    ...judgePairwise(universe.dataset, site, queryCase, neighbours),
    judgeBestMatch(universe.dataset, site, queryCase, neighbours, rng),
  ]);
}

/** The business's own listing on `site`, and listings of other businesses, which must never match. */
function judgePairwise(dataset: SandboxDataset, site: string, { business, query, shape }: QueryCase, neighbours: Neighbours): Judged[] {
  const judged: Judged[] = [];
  const shapeLabel = describeShape(shape);
  const own = dataset.listingFor(site, business.id);
  if (own) {
    const { expected, variations } = expectation(own, shape);
    const result = matchListing(query, toListing(own));
    judged.push(
      judge({ mode: 'pairwise', kind: 'own listing', expected, predicted: result.outcome, wrongListing: false, variations, shape: shapeLabel }, () => ({
        query,
        listing: toListing(own),
        fields: result.fields,
        score: result.score,
      })),
    );
  }
  const negatives: [PairKind, SandboxBusiness | undefined][] = [
    ...neighbours.namesakes.map((other): [PairKind, SandboxBusiness] => ['near-namesake, same city', other]),
    ...neighbours.sameNameElsewhere.map((other): [PairKind, SandboxBusiness] => ['same name, other city', other]),
    ['other business, same city', neighbours.randomNeighbour],
  ];
  for (const [kind, other] of negatives) {
    const listing = other && dataset.listingFor(site, other.id);
    if (!listing) continue;
    const result = matchListing(query, toListing(listing));
    judged.push(
      judge({ mode: 'pairwise', kind, expected: 'not_found', predicted: result.outcome, wrongListing: false, variations: [], shape: shapeLabel }, () => ({
        query,
        listing: toListing(listing),
        fields: result.fields,
        score: result.score,
      })),
    );
  }
  return judged;
}

/**
 * bestMatch over what a site's search would return: the closest names in the city, plus the same
 * name elsewhere (searches by name return those too).
 */
function judgeBestMatch(dataset: SandboxDataset, site: string, { business, query, shape }: QueryCase, neighbours: Neighbours, rng: ReturnType<typeof createRng>): Judged {
  const { sameCity, similarity } = neighbours;
  const own = dataset.listingFor(site, business.id);
  const ranked = [...sameCity, ...(own ? [business] : [])]
    .map((other) => ({ other, listing: dataset.listingFor(site, other.id) }))
    .filter((entry): entry is { other: SandboxBusiness; listing: SandboxListing } => entry.listing !== undefined)
    .sort((a, b) => (b.other.id === business.id ? 100 : similarity.get(b.other.id)!) - (a.other.id === business.id ? 100 : similarity.get(a.other.id)!))
    .slice(0, CANDIDATES);
  const elsewhere = neighbours.sameNameElsewhere.flatMap((other) => dataset.listingFor(site, other.id) ?? []);
  const candidates = [...ranked.map((entry) => entry.listing), ...elsewhere];
  // Shuffled: a real site does not rank the right business first.
  shuffle(candidates, rng);
  const listings = candidates.map(toListing);
  const result = bestMatch(query, listings);
  const chosen = result.listing === undefined ? undefined : candidates[listings.indexOf(result.listing)];
  const truth = own ? expectation(own, shape) : { expected: 'not_found' as Outcome, variations: [] };
  return judge(
    {
      mode: 'bestMatch',
      kind: own ? 'own listing' : 'not listed',
      expected: truth.expected,
      predicted: result.outcome,
      wrongListing: result.outcome !== 'not_found' && chosen?.businessId !== business.id,
      variations: truth.variations,
      shape: describeShape(shape),
    },
    () => ({ query, ...(result.listing ? { listing: result.listing } : {}), fields: result.fields, score: result.score }),
  );
}

/** The report printed and written: metrics and confusion per mode, the worst error classes. */
function reportOf(judged: readonly Judged[], queryCount: number, top: number, started: number) {
  const pairwise = judged.filter((j) => j.mode === 'pairwise');
  const best = judged.filter((j) => j.mode === 'bestMatch');
  return {
    seed: SEED,
    businesses: SIZE,
    queries: queryCount,
    pairs: { pairwise: pairwise.length, bestMatch: best.length, byKind: countBy(pairwise, (j) => j.kind) },
    pairwise: { metrics: metrics(pairwise), confusion: confusion(pairwise) },
    bestMatch: { metrics: metrics(best), confusion: confusion(best), wrongListing: best.filter((j) => j.wrongListing).length },
    worstErrorClasses: errorClasses(judged).slice(0, top),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** A positive integer given on the command line as `name N`, if any. */
function numberArgument(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : Number.NaN;
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function makeQuery(business: SandboxBusiness, rng: ReturnType<typeof createRng>): QueryCase {
  const street = rng.chance(0.35);
  const phone = rng.chance(0.5);
  const website = business.website !== undefined && rng.chance(0.4);
  const query: BusinessQuery = {
    name: business.name,
    location: street ? `${business.street}, ${business.city}, ${business.state} ${business.zip}` : `${business.city}, ${business.state}`,
    ...(phone ? { phone: business.phone } : {}),
    ...(website ? { website: business.website } : {}),
  };
  return { business, query, shape: { street, phone, website } };
}

/** The outcome a listing of the business should get for a query of this shape. */
function expectation(listing: SandboxListing, shape: QueryCase['shape']): { expected: Outcome; variations: string[] } {
  const variations = listing.variations
    .filter((variation) => variation.effect !== 'equivalent')
    .filter((variation) => {
      if (variation.field === 'phone') return shape.phone;
      if (variation.field === 'website') return shape.website;
      if (variation.field === 'address') return shape.street;
      return true;
    })
    .map((variation) => variation.kind);
  return { expected: variations.length > 0 ? 'partial' : 'found', variations };
}

function toListing(listing: SandboxListing): Listing {
  return {
    name: listing.name,
    address: listing.address,
    ...(listing.phone ? { phone: listing.phone } : {}),
    ...(listing.website ? { website: listing.website } : {}),
    url: listing.path,
  };
}

const cityKey = (business: SandboxBusiness) => `${business.city}|${business.state}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function shuffle<T>(items: T[], rng: ReturnType<typeof createRng>): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function describeShape(shape: QueryCase['shape']): string {
  return ['name', shape.street ? 'street' : 'city', ...(shape.phone ? ['phone'] : []), ...(shape.website ? ['website'] : [])].join('+');
}

const positive = (outcome: Outcome) => outcome !== 'not_found';
/** A prediction is right when the outcome is and, for a positive, the listing is the business's own. */
const predictedClass = (j: Pick<Judged, 'wrongListing' | 'predicted'>): Outcome | 'wrong listing' => (j.wrongListing ? 'wrong listing' : j.predicted);

function metrics(judged: readonly Judged[]) {
  const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 10_000) / 10_000);
  const perClass = Object.fromEntries(
    OUTCOMES.map((outcome) => {
      const predicted = judged.filter((j) => j.predicted === outcome).length;
      const actual = judged.filter((j) => j.expected === outcome).length;
      const right = judged.filter((j) => j.expected === outcome && predictedClass(j) === outcome).length;
      return [outcome, { precision: ratio(right, predicted), recall: ratio(right, actual), support: actual }];
    }),
  );
  const predictedPositive = judged.filter((j) => positive(j.predicted)).length;
  const actualPositive = judged.filter((j) => positive(j.expected)).length;
  const truePositive = judged.filter((j) => positive(j.expected) && positive(j.predicted) && !j.wrongListing).length;
  return {
    ...perClass,
    'found+partial': { precision: ratio(truePositive, predictedPositive), recall: ratio(truePositive, actualPositive), support: actualPositive },
  };
}

function confusion(judged: readonly Judged[]) {
  const columns = [...OUTCOMES, 'wrong listing'] as const;
  return Object.fromEntries(
    OUTCOMES.map((expected) => [
      expected,
      Object.fromEntries(columns.map((column) => [column, judged.filter((j) => j.expected === expected && predictedClass(j) === column).length])),
    ]),
  );
}

function errorClasses(judged: readonly Judged[]) {
  const classes = new Map<string, { count: number; example: Example | undefined }>();
  for (const j of judged) {
    const predicted = predictedClass(j);
    if (predicted === j.expected) continue;
    const what = j.kind === 'own listing' ? `own listing [${j.variations.join(', ') || 'no differing variation'}]` : j.kind;
    const label = `${j.mode}: ${what}, query ${j.shape}: expected ${j.expected}, got ${predicted}`;
    const entry = classes.get(label);
    if (entry) entry.count += 1;
    else classes.set(label, { count: 1, example: j.example });
  }
  return [...classes].map(([label, { count, example }]) => ({ class: label, count, example })).sort((a, b) => b.count - a.count);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function print(report: {
  pairs: unknown;
  pairwise: { metrics: Record<string, { precision: number; recall: number; support: number }>; confusion: Record<string, Record<string, number>> };
  bestMatch: { metrics: Record<string, { precision: number; recall: number; support: number }>; confusion: Record<string, Record<string, number>>; wrongListing: number };
  worstErrorClasses: { class: string; count: number; example: unknown }[];
  queries: number;
  seconds: number;
}): void {
  console.log(`eval:matching — seed ${SEED}, ${SIZE} businesses, ${report.queries} queries, ${report.seconds} s`);
  console.log(`pairs: ${JSON.stringify(report.pairs)}`);
  for (const mode of ['pairwise', 'bestMatch'] as const) {
    const { metrics: m, confusion: c } = report[mode];
    console.log(`\n${mode === 'pairwise' ? 'Pairwise matchListing' : `bestMatch over ≤ ${CANDIDATES} same-city candidates + same-name elsewhere`}`);
    console.log('  class          precision  recall   support');
    for (const [name, value] of Object.entries(m)) {
      console.log(`  ${name.padEnd(14)} ${value.precision.toFixed(4).padStart(9)}  ${value.recall.toFixed(4).padStart(6)}  ${String(value.support).padStart(8)}`);
    }
    console.log('  confusion (rows expected, columns predicted):');
    const columns = Object.keys(Object.values(c)[0] ?? {});
    console.log(`  ${''.padEnd(12)}${columns.map((column) => column.padStart(15)).join('')}`);
    for (const [row, counts] of Object.entries(c)) console.log(`  ${row.padEnd(12)}${columns.map((column) => String(counts[column]).padStart(15)).join('')}`);
  }
  console.log('\nWorst error classes:');
  report.worstErrorClasses.forEach((entry, index) => {
    console.log(`  ${index + 1}. ${entry.count} × ${entry.class}`);
    console.log(`     e.g. ${JSON.stringify(entry.example)}`);
  });
}

function printHeldOut(heldOut: ReturnType<typeof evaluateHeldOut>): void {
  const { pairs, pairwise, bestMatch: best } = heldOut;
  console.log(`\nHeld-out set (published variation facts): ${pairs.positives} same-business pairs, ${pairs.negatives} different-business pairs`);
  console.log(`  pairwise found+partial  precision ${pairwise.precision.toFixed(4)}  recall ${pairwise.recall.toFixed(4)}  F1 ${pairwise.f1.toFixed(4)}`);
  console.log(`  bestMatch right listing ${best.rightListing.toFixed(4)} of ${best.queries} queries`);
  console.log(`  matcher cost: ${heldOut.microsecondsPerComparison} µs per comparison (warm; first pass ${heldOut.firstPassMicrosecondsPerComparison} µs)`);
  for (const entry of heldOut.misses.slice(0, 5)) console.log(`  ${entry.count} × ${entry.label}: ${JSON.stringify(entry.example)}`);
}

main();
