/**
 * Business names: normalised ("relaxed", as listing vendors say) and compared with a token-based
 * fuzzy score from fuzzball.
 *
 * A name passes when its words are nearly the same words as the other's:
 *
 *   "Smith & Sons Plumbing LLC" → "smith and sons plumbing" ─┐
 *   "Smith and Sons Plumbing"   → "smith and sons plumbing" ─┴─ set 100, sort 100 → pass
 *   "Blue Door"  vs "Blue Door Barbers"   set 100 (subset!), sort 69, coverage 2/3 → fail
 *   "Blue Door Bakery" vs "Blue Door Barbers"   set 85, sort 85, coverage 2/3     → fail
 *
 * token_set_ratio alone scores any subset 100, so a name that is a prefix of a longer one
 * (`Blue Door` / `Blue Door Barbers`) would pass; the coverage rule closes that trap.
 */
import { ratio, token_set_ratio, token_sort_ratio } from 'fuzzball';

/**
 * token_sort_ratio at or above which two names pass on their own: the same words in any order
 * with at most a typo (`Smith Plumbling` / `Smith Plumbing` scores 97). Calibrated so that
 * namesakes differing in one short word stay below (`Studio 54` / `Studio 45` 89,
 * `Blue Door Bakery` / `Blue Door Barbers` 85).
 */
export const NAME_SORT_MIN = 90;

/**
 * token_set_ratio at or above which a name with extra words may pass, provided the coverage
 * rule holds too. `Blue Door Bakery` / `Blue Door Barbers` scores exactly 85, so the usual ~85
 * cut-off would let that namesake through; 90 keeps it out.
 */
export const NAME_SET_MIN = 90;

/**
 * Share of the longer name's distinct words that must pair with a word of the other name
 * (0..1). 0.75 lets a three-word name gain one word (`Lone Star Dental` / `Lone Star Dental
 * Care`) but never a two-word one (`Blue Door` / `Blue Door Barbers`).
 */
export const NAME_COVERAGE_MIN = 0.75;

/** fuzzball `ratio` at or above which two single words pair up: `plumbling`/`plumbing` 94, `sons`/`son` 86, but not `bakery`/`bakers` 83. */
const WORD_PAIR_MIN = 85;

/**
 * Legal-form words dropped from the end of a name (after punctuation is gone, so `L.L.C.` is
 * `llc` and `Co.` is `co`). Only trailing ones: "Co" inside a name may be part of it.
 */
const LEGAL_SUFFIXES: ReadonlySet<string> = new Set([
  'inc', 'incorporated', 'llc', 'lc', 'llp', 'lp', 'lllp', 'pllc', 'pc', 'pa', 'plc', 'ltd',
  'limited', 'co', 'corp', 'corporation', 'company', 'gmbh',
]);

/** Words that carry no identity: ignored when counting which words the names share. */
const FILLER_WORDS: ReadonlySet<string> = new Set(['and', 'the', 'of']);

/**
 * Short and long forms of words in business names, each mapped to one form so that `Katz's Deli`
 * and `Katz's Delicatessen` are the same words. From the abbreviations style guides and
 * directories use for company names (AP Stylebook: Bros., Co., Corp.; USPS Publication 28's
 * business-word abbreviations: Ctr, Mt, Ft, St for Saint) and everyday trade words. Applied to
 * both names alike, so a word's meaning in context does not matter (`Main St Grill` stays
 * comparable with `Main Street Grill` and with itself).
 */
const NAME_SYNONYMS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    delicatessen: 'deli', bros: 'brothers', bro: 'brother', assoc: 'associates', assocs: 'associates', assn: 'association',
    ctr: 'center', centre: 'center', cntr: 'center', st: 'saint', mt: 'mount', ft: 'fort', dr: 'doctor',
    intl: 'international', mfg: 'manufacturing', svc: 'service', svcs: 'services', auto: 'automotive', lab: 'laboratory',
    labs: 'laboratories', dept: 'department', univ: 'university', natl: 'national', mgmt: 'management', med: 'medical',
    hosp: 'hospital', pharm: 'pharmacy', rx: 'pharmacy', restaurante: 'restaurant', rstrnt: 'restaurant', bbq: 'barbecue',
    'bar-b-q': 'barbecue', barbeque: 'barbecue', ctrs: 'centers', apts: 'apartments', hts: 'heights', pt: 'point',
    mtn: 'mountain', twr: 'tower', bldrs: 'builders', contr: 'contractors', cleaners: 'cleaners', dds: 'dental',
    grille: 'grill', theatre: 'theater', ctry: 'country', cty: 'county', sq: 'square', n: 'north', s: 'south', e: 'east', w: 'west',
  }),
);

/**
 * Words that say what a business does rather than which one it is: two names sharing only these
 * (`Blue Heron Cafe` / `Golden Cafe`) share nothing distinctive. Rare words — the proper names —
 * are what tells businesses apart, as in tf-idf weighting; these are the common ones of
 * directory names (trade and place words, and the descriptive words guides add).
 */
const COMMON_WORDS: ReadonlySet<string> = new Set(
  (
    'a an at in on for by to my our your cafe coffee restaurant grill bar pub deli bakery pizza pizzeria trattoria taqueria bistro kitchen ' +
    'diner house steak steakhouse sushi thai chinese mexican italian indian cuisine fine food foods market store shop shoppe ' +
    'salon spa hair nails beauty barber studio fitness gym yoga dental dentistry dentist family medical clinic health care center ' +
    'services service plumbing heating cooling electric electrical roofing construction builders contractors repair auto automotive ' +
    'tire tires body collision law office offices firm group associates partners insurance realty real estate agency company ' +
    'cleaners cleaning laundry pharmacy florist flowers hardware supply supplies pet vet veterinary animal hospital school academy ' +
    'church bank hotel inn motel suites apartments north south east west new old city county national american international ' +
    'oyster roasters szechuan family hair the and of saint mount fort'
  ).split(' '),
);

/**
 * A business name in comparable form: lower-case ASCII, `&` as `and`, apostrophes and periods
 * removed (`Joe's` → `joes`, `L.L.C.` → `llc`), other punctuation as spaces, a leading `the`
 * and trailing legal suffixes (`Inc`, `LLC`, `& Co.` …) dropped. A name made only of such words
 * (`The Company`) is kept whole rather than emptied.
 */
export function normalizeName(name: string): string {
  let normalized = normalizedNames.get(name);
  if (normalized === undefined) {
    // A search compares its one query name with every candidate of every site: remember it.
    if (normalizedNames.size >= NORMALIZED_NAMES_CAP) normalizedNames.clear();
    normalized = normalizeNameUncached(name);
    normalizedNames.set(name, normalized);
  }
  return normalized;
}

/** Names normalised lately; cleared when full, which costs one recomputation per name. */
const normalizedNames = new Map<string, string>();
const NORMALIZED_NAMES_CAP = 4096;

function normalizeNameUncached(name: string): string {
  const words = name
    // A branch or city qualifier in brackets (`Blue Heron Cafe (Portland)`) is not part of the name.
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    // `Anchor, The`: the article a guide moved to the end for sorting.
    .replace(/,\s*the\s*$/i, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’`.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((word) => NAME_SYNONYMS.get(word) ?? word);
  let start = 0;
  let end = words.length;
  if (words[0] === 'the') start = 1;
  // `Smith & Co.` → `smith and co`: drop the suffix, then the dangling `and`.
  const droppable = (word: string) => LEGAL_SUFFIXES.has(word) || (end < words.length && word === 'and');
  while (end > start && droppable(words[end - 1]!)) end -= 1;
  const kept = words.slice(start, end);
  return (kept.length > 0 ? kept : words).join(' ');
}

/** How two business names compare. Scores are fuzzball's 0..100. */
export interface NameComparison {
  /** token_set_ratio of the normalised names. */
  readonly setScore: number;
  /** token_sort_ratio of the normalised names. */
  readonly sortScore: number;
  /** Share of the longer name's distinct words paired with a word of the other (0..1). */
  readonly coverage: number;
  /** Whether the names are taken to name the same business. */
  readonly pass: boolean;
  /** Whether they share a distinctive word: one that is not a common trade or place word. */
  readonly sharesDistinctive: boolean;
  /** Whether every word of the shorter name is a word of the longer (`Rosa` / `Trattoria Rosa`). */
  readonly subset: boolean;
  /**
   * Whether they pass as the same words (equal, or token_sort ≥ {@link NAME_SORT_MIN} with every
   * word paired: order and typos only). A pass that is not strict rests on shared words with one more or fewer
   * (`Blue Door Bakery` / `Blue Door Bakery & Cafe`): a near-namesake as often as a variant.
   */
  readonly strict: boolean;
}

/**
 * Compares two business names. They pass strictly when their normalised forms are equal ignoring
 * spaces (`BlueDoor` / `Blue Door`), or when token_sort_ratio ≥ {@link NAME_SORT_MIN} and every
 * word pairs with a near-identical one (typos, word order); loosely when token_set_ratio ≥
 * {@link NAME_SET_MIN} and coverage ≥ {@link NAME_COVERAGE_MIN} (a word more or fewer).
 */
export function compareNames(a: string, b: string): NameComparison {
  const left = normalizeName(a);
  const right = normalizeName(b);
  if (!left || !right) return { setScore: 0, sortScore: 0, coverage: 0, pass: false, strict: false, sharesDistinctive: false, subset: false };
  // Our strings are already processed; fuzzball's own cleanup would only repeat the work.
  const setScore = token_set_ratio(left, right, { full_process: false });
  const sortScore = token_sort_ratio(left, right, { full_process: false });
  const coverage = wordCoverage(left, right);
  // token_sort_ratio is over the whole string: `Perez Roofing & Gutters` / `Lopez Roofing & Gutters`
  // scores 91 though the surname, the word that tells them apart, differs. So a strict pass
  // also needs every word paired with a near-identical one.
  const strict = left.replace(/ /g, '') === right.replace(/ /g, '') || (sortScore >= NAME_SORT_MIN && coverage === 1);
  const pass = strict || (setScore >= NAME_SET_MIN && coverage >= NAME_COVERAGE_MIN);
  const leftWords = new Set(left.split(' ').map(stem));
  const rightWords = new Set(right.split(' ').map(stem));
  const [shorter, longer] = leftWords.size <= rightWords.size ? [leftWords, rightWords] : [rightWords, leftWords];
  const shared = [...shorter].filter((word) => longer.has(word));
  const sharesDistinctive = shared.some((word) => word.length > 1 && !FILLER_WORDS.has(word) && !COMMON_WORDS.has(word) && !COMMON_WORDS.has(`${word}s`));
  const subset = shared.length === shorter.size;
  return { setScore, sortScore, coverage, pass, strict, sharesDistinctive, subset };
}

/** A word without its possessive or plural `s` (`lins` → `lin`), so `Mei Lin` and `Mei Lin's` share `lin`. */
function stem(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** Greedy one-to-one pairing of distinct words, exact pairs first, then near ones. */
function wordCoverage(left: string, right: string): number {
  const words = (text: string) => [...new Set(text.split(' ').filter((w) => !FILLER_WORDS.has(w)))];
  const a = words(left);
  const b = words(right);
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  const unpairedB = new Set(b);
  const unpairedA: string[] = [];
  let paired = 0;
  for (const word of a) {
    if (unpairedB.delete(word)) paired += 1;
    else unpairedA.push(word);
  }
  for (const word of unpairedA) {
    const near = [...unpairedB].find((other) => ratio(word, other, { full_process: false }) >= WORD_PAIR_MIN);
    if (near !== undefined) {
      unpairedB.delete(near);
      paired += 1;
    }
  }
  return paired / longest;
}
