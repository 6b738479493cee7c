/**
 * The part of Overpass QL the emulation understands: enough for a place search, not a query
 * engine. From a query it reads
 *
 * - the output format: `[out:json]` (else XML);
 * - the first `name` filter: `["name"="…"]`, `["name"~"…"]`, `["name"~"…",i]` and the negations
 *   `!=` / `!~` (also `name` unquoted, single quotes);
 * - `addr:city`, `addr:state`, `addr:postcode` equality filters;
 * - where: `area["name"="Austin"]` (a city or a state name; `["ISO3166-2"="US-TX"]` too), a bbox
 *   `(south,west,north,east)` or the global `[bbox:…]`, or `(around:radius,lat,lon)`;
 * - the `out` statement: `center`, `tags` and a count (`out center 10;`).
 *
 * Everything else (sets, unions, recursion, other tags) is ignored: the answer is the listings
 * whose name passes the name filter inside the place, as nodes and ways.
 */

/** A name test from a tag filter. */
export interface NameFilter {
  readonly operator: '=' | '~' | '!=' | '!~';
  readonly value: string;
  readonly caseInsensitive: boolean;
}

/** What a query asks for. */
export interface OverpassQuery {
  readonly json: boolean;
  readonly name?: NameFilter;
  /** `addr:*` equality filters, by key. */
  readonly addr: Readonly<Record<string, string>>;
  /** Area names (`area["name"="Austin"]`) and ISO codes (`US-TX`). */
  readonly areas: readonly string[];
  /** south, west, north, east. */
  readonly bbox?: readonly [number, number, number, number];
  readonly around?: { readonly radiusM: number; readonly lat: number; readonly lon: number };
  readonly out: { readonly center: boolean; readonly tagsOnly: boolean; readonly limit?: number };
}

/** A query the emulation cannot read: answered 400 with Overpass's error page. */
export class OverpassSyntaxError extends Error {
  override readonly name = 'OverpassSyntaxError';
}

const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;
const KEY = (key: string) => String.raw`(?:"${key}"|'${key}'|${key})`;
const NUMBER = String.raw`(-?\d+(?:\.\d+)?)`;

function unescape(text: string): string {
  return text.replaceAll(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : char));
}

/** Reads a query; throws {@link OverpassSyntaxError} for an empty one or unbalanced quotes. */
export function parseOverpassQuery(ql: string): OverpassQuery {
  const text = ql.trim();
  if (text === '') throw new OverpassSyntaxError('line 1: parse error: an empty query is not allowed');
  if ((text.replaceAll(/\\./g, '').match(/"/g)?.length ?? 0) % 2 === 1) throw new OverpassSyntaxError('line 1: parse error: unexpected end of input (an unclosed ")');

  // Area statements carry their own `name` filters: look for the element's outside them.
  const areaPattern = new RegExp(String.raw`area\s*((?:\[[^\]]*\]\s*)+)`, 'g');
  const outsideAreas = text.replaceAll(areaPattern, 'area');
  const name = new RegExp(String.raw`\[\s*${KEY('name')}\s*(=|~|!=|!~)\s*${STRING}\s*(,\s*i\s*)?\]`).exec(outsideAreas);
  const addr: Record<string, string> = {};
  for (const key of ['addr:city', 'addr:state', 'addr:postcode']) {
    const match = new RegExp(String.raw`\[\s*${KEY(key)}\s*=\s*${STRING}\s*\]`).exec(text);
    if (match) addr[key] = unescape(match[1] ?? match[2] ?? '');
  }
  const areas: string[] = [];
  for (const match of text.matchAll(areaPattern)) {
    const filters = match[1]!;
    const areaName = new RegExp(String.raw`\[\s*${KEY('name')}\s*=\s*${STRING}\s*\]`).exec(filters);
    const iso = new RegExp(String.raw`\[\s*"ISO3166-2"\s*=\s*${STRING}\s*\]`).exec(filters);
    if (areaName) areas.push(unescape(areaName[1] ?? areaName[2] ?? ''));
    if (iso) areas.push(unescape(iso[1] ?? iso[2] ?? ''));
  }
  const bboxMatch =
    new RegExp(String.raw`\[\s*bbox\s*:\s*${NUMBER}\s*,\s*${NUMBER}\s*,\s*${NUMBER}\s*,\s*${NUMBER}\s*\]`).exec(text) ??
    new RegExp(String.raw`\(\s*${NUMBER}\s*,\s*${NUMBER}\s*,\s*${NUMBER}\s*,\s*${NUMBER}\s*\)`).exec(text);
  const aroundMatch = new RegExp(String.raw`\(\s*around\s*:\s*${NUMBER}\s*,\s*${NUMBER}\s*,\s*${NUMBER}\s*\)`).exec(text);
  // The statement, not the `[out:json]` setting: `out` starts a statement.
  const outMatch = /(?:^|;)\s*out(\s[^;]*)?;/.exec(text);
  const outWords = (outMatch?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const limitWord = outWords.find((word) => /^\d+$/.test(word));

  return {
    json: /\[\s*out\s*:\s*json\s*\]/.test(text),
    ...(name
      ? { name: { operator: name[1] as NameFilter['operator'], value: unescape(name[2] ?? name[3] ?? ''), caseInsensitive: Boolean(name[4]) } }
      : {}),
    addr,
    areas,
    ...(bboxMatch ? { bbox: [Number(bboxMatch[1]), Number(bboxMatch[2]), Number(bboxMatch[3]), Number(bboxMatch[4])] as const } : {}),
    ...(aroundMatch ? { around: { radiusM: Number(aroundMatch[1]), lat: Number(aroundMatch[2]), lon: Number(aroundMatch[3]) } } : {}),
    out: { center: outWords.includes('center'), tagsOnly: outWords.includes('tags'), ...(limitWord ? { limit: Number(limitWord) } : {}) },
  };
}

/** A predicate for names; throws {@link OverpassSyntaxError} for a regular expression it cannot compile. */
export function nameTest(filter: NameFilter): (name: string) => boolean {
  if (filter.operator === '=' || filter.operator === '!=') {
    const equal = (name: string) => (filter.caseInsensitive ? name.toLowerCase() === filter.value.toLowerCase() : name === filter.value);
    return filter.operator === '=' ? equal : (name) => !equal(name);
  }
  if (filter.value.length > 300) throw new OverpassSyntaxError('line 1: static error: regular expression too long');
  let pattern: RegExp;
  try {
    pattern = new RegExp(filter.value, filter.caseInsensitive ? 'i' : '');
  } catch (error) {
    throw new OverpassSyntaxError(`line 1: static error: Invalid regular expression: "${filter.value}" (${(error as Error).message})`);
  }
  return filter.operator === '~' ? (name) => pattern.test(name) : (name) => !pattern.test(name);
}
