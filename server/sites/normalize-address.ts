/**
 * US addresses, parsed from one line of free text and normalised with the USPS Publication 28
 * tables, so that `1200 W Main St Ste 4, Austin, TX 78701` and
 * `1200 West Main Street, Suite 4, Austin, Texas 78701-1234` compare equal.
 *
 *   "1200 West Main Street, Suite 4, Austin, TX 78701"
 *     → ZIP from the end      78701
 *     → state from the end   TX        (code or name: "Texas", "New York")
 *     → comma parts          "1200 West Main Street" | "Suite 4" | "Austin"
 *        street: the part that starts with a number   → 1200 W MAIN ST
 *        unit:   a part that starts with a designator → STE 4
 *        city:   a plain part after the street        → AUSTIN
 *
 * Written by hand: the typed parsers on npm either need libpostal (a native library and
 * gigabytes of data) or parse only full addresses, while a user's location is often just
 * "Austin TX" or "78701". What a parse cannot place is left out rather than guessed, and the
 * matcher treats a left-out part as not comparable.
 */

/** An address split into the parts the matcher compares; every part is in normalised form. */
export interface ParsedAddress {
  /** House number, directionals, street name and suffix: `1200 W MAIN ST`. */
  readonly street?: string;
  /** Secondary unit: `STE 4`, `# 4`, `FL 2`. */
  readonly unit?: string;
  /** Upper-case city: `AUSTIN`, `ST LOUIS`. */
  readonly city?: string;
  /** Two-letter USPS state code: `TX`. */
  readonly state?: string;
  /** Five-digit ZIP (a ZIP+4's extension is dropped). */
  readonly zip?: string;
}

/** USPS state and territory codes by upper-case name. */
const STATE_CODES: ReadonlyMap<string, string> = new Map([
  ['ALABAMA', 'AL'], ['ALASKA', 'AK'], ['ARIZONA', 'AZ'], ['ARKANSAS', 'AR'], ['CALIFORNIA', 'CA'],
  ['COLORADO', 'CO'], ['CONNECTICUT', 'CT'], ['DELAWARE', 'DE'], ['DISTRICT OF COLUMBIA', 'DC'],
  ['FLORIDA', 'FL'], ['GEORGIA', 'GA'], ['HAWAII', 'HI'], ['IDAHO', 'ID'], ['ILLINOIS', 'IL'],
  ['INDIANA', 'IN'], ['IOWA', 'IA'], ['KANSAS', 'KS'], ['KENTUCKY', 'KY'], ['LOUISIANA', 'LA'],
  ['MAINE', 'ME'], ['MARYLAND', 'MD'], ['MASSACHUSETTS', 'MA'], ['MICHIGAN', 'MI'],
  ['MINNESOTA', 'MN'], ['MISSISSIPPI', 'MS'], ['MISSOURI', 'MO'], ['MONTANA', 'MT'],
  ['NEBRASKA', 'NE'], ['NEVADA', 'NV'], ['NEW HAMPSHIRE', 'NH'], ['NEW JERSEY', 'NJ'],
  ['NEW MEXICO', 'NM'], ['NEW YORK', 'NY'], ['NORTH CAROLINA', 'NC'], ['NORTH DAKOTA', 'ND'],
  ['OHIO', 'OH'], ['OKLAHOMA', 'OK'], ['OREGON', 'OR'], ['PENNSYLVANIA', 'PA'],
  ['RHODE ISLAND', 'RI'], ['SOUTH CAROLINA', 'SC'], ['SOUTH DAKOTA', 'SD'], ['TENNESSEE', 'TN'],
  ['TEXAS', 'TX'], ['UTAH', 'UT'], ['VERMONT', 'VT'], ['VIRGINIA', 'VA'], ['WASHINGTON', 'WA'],
  ['WEST VIRGINIA', 'WV'], ['WISCONSIN', 'WI'], ['WYOMING', 'WY'], ['PUERTO RICO', 'PR'],
  ['GUAM', 'GU'], ['VIRGIN ISLANDS', 'VI'], ['AMERICAN SAMOA', 'AS'],
  ['NORTHERN MARIANA ISLANDS', 'MP'],
]);
const STATE_CODE_SET: ReadonlySet<string> = new Set(STATE_CODES.values());

/**
 * Publication 28 Appendix C1: street suffixes, each spelling → the standard abbreviation. The
 * common ones with their frequent variants; a suffix missing here is compared as a plain word,
 * which still matches when both sides spell it the same way.
 */
const STREET_SUFFIXES: ReadonlyMap<string, string> = new Map(
  (
    [
      ['ALY', 'ALLEY', 'ALLEE', 'ALLY'],
      ['ANX', 'ANNEX', 'ANEX', 'ANNX'],
      ['ARC', 'ARCADE'],
      ['AVE', 'AVENUE', 'AV', 'AVEN', 'AVENU', 'AVN', 'AVNUE'],
      ['BCH', 'BEACH'],
      ['BND', 'BEND'],
      ['BLF', 'BLUFF'],
      // `BLV` is not in Publication 28, but listings write it (`Wilshire Blv.`) and no other suffix uses it.
      ['BLVD', 'BOULEVARD', 'BOUL', 'BOULV', 'BLV'],
      ['BR', 'BRANCH', 'BRNCH'],
      ['BRG', 'BRIDGE', 'BRDGE'],
      ['BRK', 'BROOK'],
      ['BYP', 'BYPASS', 'BYPA', 'BYPAS', 'BYPS'],
      ['CYN', 'CANYON', 'CANYN', 'CNYN'],
      ['CSWY', 'CAUSEWAY', 'CAUSWA'],
      ['CTR', 'CENTER', 'CEN', 'CENT', 'CENTR', 'CENTRE', 'CNTER', 'CNTR'],
      ['CIR', 'CIRCLE', 'CIRC', 'CIRCL', 'CRCL', 'CRCLE'],
      ['CLF', 'CLIFF'],
      ['CMN', 'COMMON'],
      ['COR', 'CORNER'],
      ['CORS', 'CORNERS'],
      ['CRSE', 'COURSE'],
      ['CT', 'COURT'],
      ['CTS', 'COURTS'],
      ['CV', 'COVE'],
      ['CRK', 'CREEK'],
      ['CRES', 'CRESCENT', 'CRSENT', 'CRSNT'],
      ['XING', 'CROSSING', 'CRSSNG'],
      ['CURV', 'CURVE'],
      ['DL', 'DALE'],
      ['DR', 'DRIVE', 'DRIV', 'DRV'],
      ['EST', 'ESTATE'],
      ['ESTS', 'ESTATES'],
      ['EXPY', 'EXPRESSWAY', 'EXP', 'EXPR', 'EXPRESS', 'EXPW'],
      ['EXT', 'EXTENSION', 'EXTN', 'EXTNSN'],
      ['FLS', 'FALLS'],
      ['FRY', 'FERRY', 'FRRY'],
      ['FLD', 'FIELD'],
      ['FLDS', 'FIELDS'],
      ['FRST', 'FOREST', 'FORESTS'],
      ['FWY', 'FREEWAY', 'FREEWY', 'FRWAY', 'FRWY'],
      ['GDN', 'GARDEN', 'GARDN', 'GRDEN', 'GRDN'],
      ['GDNS', 'GARDENS', 'GRDNS'],
      ['GTWY', 'GATEWAY', 'GATEWY', 'GATWAY', 'GTWAY'],
      ['GLN', 'GLEN'],
      ['GRN', 'GREEN'],
      ['GRV', 'GROVE', 'GROV'],
      ['HBR', 'HARBOR', 'HARB', 'HARBR', 'HRBOR'],
      ['HVN', 'HAVEN'],
      ['HTS', 'HEIGHTS', 'HT'],
      ['HWY', 'HIGHWAY', 'HIGHWY', 'HIWAY', 'HIWY', 'HWAY'],
      ['HL', 'HILL'],
      ['HLS', 'HILLS'],
      ['HOLW', 'HOLLOW', 'HLLW', 'HOLLOWS', 'HOLWS'],
      ['IS', 'ISLAND', 'ISLND'],
      ['JCT', 'JUNCTION', 'JCTION', 'JCTN', 'JUNCTN', 'JUNCTON'],
      ['KNL', 'KNOLL', 'KNOL'],
      ['LK', 'LAKE'],
      ['LKS', 'LAKES'],
      ['LNDG', 'LANDING', 'LNDNG'],
      ['LN', 'LANE'],
      ['LOOP', 'LOOPS'],
      ['MALL'],
      ['MNR', 'MANOR'],
      ['MDW', 'MEADOW'],
      ['MDWS', 'MEADOWS', 'MEDOWS'],
      ['ML', 'MILL'],
      ['MTN', 'MOUNTAIN', 'MNTAIN', 'MNTN', 'MOUNTIN', 'MTIN'],
      ['OVAL', 'OVL'],
      ['PARK', 'PRK', 'PARKS'],
      ['PKWY', 'PARKWAY', 'PARKWY', 'PKWAY', 'PKY', 'PARKWAYS', 'PKWYS'],
      ['PASS'],
      ['PATH', 'PATHS'],
      ['PIKE', 'PIKES'],
      ['PNES', 'PINES'],
      ['PL', 'PLACE'],
      ['PLN', 'PLAIN'],
      ['PLNS', 'PLAINS'],
      ['PLZ', 'PLAZA', 'PLZA'],
      ['PT', 'POINT'],
      ['PRT', 'PORT'],
      ['RNCH', 'RANCH', 'RANCHES', 'RNCHS'],
      ['RDG', 'RIDGE', 'RDGE'],
      ['RIV', 'RIVER', 'RVR', 'RIVR'],
      ['RD', 'ROAD'],
      ['RTE', 'ROUTE'],
      ['ROW'],
      ['RUN'],
      ['SHR', 'SHORE', 'SHOAR'],
      ['SKWY', 'SKYWAY'],
      ['SPG', 'SPRING', 'SPNG', 'SPRNG'],
      ['SPGS', 'SPRINGS', 'SPNGS', 'SPRNGS'],
      ['SQ', 'SQUARE', 'SQR', 'SQRE', 'SQU'],
      ['STA', 'STATION', 'STATN', 'STN'],
      ['ST', 'STREET', 'STRT', 'STR'],
      ['SMT', 'SUMMIT', 'SUMIT', 'SUMITT'],
      ['TER', 'TERRACE', 'TERR'],
      ['TRCE', 'TRACE', 'TRACES'],
      ['TRL', 'TRAIL', 'TRAILS', 'TRLS'],
      ['TPKE', 'TURNPIKE', 'TRNPK', 'TURNPK'],
      ['VLY', 'VALLEY', 'VALLY', 'VLLY'],
      ['VW', 'VIEW'],
      ['VLG', 'VILLAGE', 'VILL', 'VILLAG', 'VILLG'],
      ['VIS', 'VISTA', 'VIST', 'VST', 'VSTA'],
      ['WALK', 'WALKS'],
      ['WAY', 'WY'],
      ['XRD', 'CROSSROAD'],
    ] as const
  ).flatMap(([standard, ...spellings]) =>
    [standard, ...spellings].map((spelling): [string, string] => [spelling, standard]),
  ),
);

/**
 * Suffixes that end a street in the common case. Only these split a comma-less line
 * ("1200 Main St Park City UT") into street and city: the rarer suffixes (`PARK`, `CREEK`) are
 * too often the first word of a city or of a street name.
 */
const COMMON_SUFFIXES: ReadonlySet<string> = new Set([
  'ALY', 'AVE', 'BLVD', 'CIR', 'CSWY', 'CT', 'CV', 'DR', 'EXPY', 'FWY', 'HWY', 'LN', 'LOOP', 'PKWY',
  'PL', 'PLZ', 'RD', 'SQ', 'ST', 'TER', 'TPKE', 'TRL', 'WAY', 'XING',
]);

/** Publication 28 directionals, each spelling → the standard abbreviation. */
const DIRECTIONALS: ReadonlyMap<string, string> = new Map(
  (
    [
      ['N', 'NORTH'], ['S', 'SOUTH'], ['E', 'EAST'], ['W', 'WEST'],
      ['NE', 'NORTHEAST'], ['NW', 'NORTHWEST'], ['SE', 'SOUTHEAST'], ['SW', 'SOUTHWEST'],
    ] as const
  ).flatMap(([standard, word]): [string, string][] => [[standard, standard], [word, standard]]),
);

/**
 * Publication 28 Appendix C2: secondary unit designators that take a value (`STE 4`). Those
 * without one (`REAR`, `LOBBY`) and the ones that are also common street words (`LOT`, `PIER`,
 * `SPACE`, `KEY`) are left out so they are never cut from a street.
 */
const UNIT_DESIGNATORS: ReadonlyMap<string, string> = new Map([
  ['APARTMENT', 'APT'], ['APT', 'APT'], ['BUILDING', 'BLDG'], ['BLDG', 'BLDG'],
  ['DEPARTMENT', 'DEPT'], ['DEPT', 'DEPT'], ['FLOOR', 'FL'], ['FL', 'FL'], ['FLR', 'FL'],
  ['OFFICE', 'OFC'], ['OFC', 'OFC'], ['PENTHOUSE', 'PH'], ['PH', 'PH'], ['ROOM', 'RM'],
  ['RM', 'RM'], ['SUITE', 'STE'], ['STE', 'STE'], ['SUIT', 'STE'], ['TRAILER', 'TRLR'],
  ['TRLR', 'TRLR'], ['UNIT', 'UNIT'], ['#', '#'],
]);

/** Spelled-out ordinals in street names (`Fifth Avenue` is `5TH AVE`, as most listings write it). */
const ORDINALS: ReadonlyMap<string, string> = new Map([
  ['FIRST', '1ST'], ['SECOND', '2ND'], ['THIRD', '3RD'], ['FOURTH', '4TH'], ['FIFTH', '5TH'],
  ['SIXTH', '6TH'], ['SEVENTH', '7TH'], ['EIGHTH', '8TH'], ['NINTH', '9TH'], ['TENTH', '10TH'],
]);

/** City-name words with a customary abbreviation (`Saint Louis` / `St. Louis`). */
const CITY_WORDS: ReadonlyMap<string, string> = new Map([
  ['SAINT', 'ST'], ['SAINTE', 'STE'], ['FORT', 'FT'], ['MOUNT', 'MT'],
]);

/** Upper-case, accents and periods removed (`St.` → `ST`, `N.E.` → `NE`), spaces collapsed. */
function clean(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/\./g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words of one comma part; `#4` becomes `#`, `4` so that it reads like `Ste 4`. */
function words(part: string): string[] {
  return part
    .replace(/#/g, ' # ')
    .replace(/[^A-Z0-9#/\- ]+/g, ' ')
    .split(' ')
    .filter((word) => word === '#' || /[A-Z0-9]/.test(word));
}

const startsWithNumber = (tokens: readonly string[]): boolean => /^\d/.test(tokens[0] ?? '');
const isPoBox = (tokens: readonly string[]): boolean =>
  (tokens[0] === 'PO' && tokens[1] === 'BOX') || (tokens[0] === 'P' && tokens[1] === 'O' && tokens[2] === 'BOX');

/** The state at the end of `tokens`, as a code, and how many words it took. */
function trailingState(tokens: readonly string[]): { code: string; length: number } | undefined {
  for (let length = Math.min(4, tokens.length); length >= 1; length -= 1) {
    const candidate = tokens.slice(-length).join(' ');
    const byName = STATE_CODES.get(candidate);
    if (byName) return { code: byName, length };
    if (length === 1 && STATE_CODE_SET.has(candidate)) return { code: candidate, length };
  }
  return undefined;
}

/** Unit designator + value starting at `tokens[at]`, or `undefined`. `2ND FLOOR` is read too. */
function unitAt(tokens: readonly string[], at: number): { unit: string; length: number } | undefined {
  const word = tokens[at];
  const next = tokens[at + 1];
  if (word === undefined) return undefined;
  const designator = UNIT_DESIGNATORS.get(word);
  if (designator && next !== undefined) {
    // `Suite #4`: the `#` is a second designator for the same unit.
    if (next === '#' && tokens[at + 2] !== undefined) {
      return { unit: `${designator} ${unitValue(tokens[at + 2]!)}`, length: 3 };
    }
    return { unit: `${designator} ${unitValue(next)}`, length: 2 };
  }
  if (/^\d+(ST|ND|RD|TH)$/.test(word) && next !== undefined && UNIT_DESIGNATORS.get(next) === 'FL') {
    return { unit: `FL ${unitValue(word)}`, length: 2 };
  }
  return undefined;
}

/** `400-A` → `400A`, `2ND` → `2`: the same unit however it is written. */
function unitValue(value: string): string {
  return value.replace(/-/g, '').replace(/^(\d+)(ST|ND|RD|TH)$/, '$1');
}

/**
 * Splits a location or address line into normalised parts. Accepts anything from `78701` or
 * `Austin TX` to `1200 W Main St Ste 4, Austin, Texas 78701-1234, USA`; parts it cannot place
 * are left out.
 */
export function parseAddress(text: string): ParsedAddress {
  // Line breaks, `|` and `;` separate address lines on some sites just as commas do.
  let line = clean(text.replace(/[\r\n|;]+/g, ','))
    // A trailing country after a comma or a ZIP says nothing for US-only matching.
    .replace(/(?:,\s*|(?<=\d{5}(?:-\d{4})?)\s+)(?:USA|US|UNITED STATES(?: OF AMERICA)?)$/, '')
    .trim();

  let zip: string | undefined;
  const zipMatch = /(?:^|[\s,])(\d{5})(?:-\d{4})?$/.exec(line);
  if (zipMatch) {
    zip = zipMatch[1];
    line = line.slice(0, zipMatch.index).trim();
  }

  const parts = line
    .split(',')
    .map((part) => words(part))
    .filter((tokens) => tokens.length > 0);

  let state: string | undefined;
  const last = parts.at(-1);
  const found = last && trailingState(last);
  if (last && found) {
    const rest = last.slice(0, -found.length);
    // `1200 Oak Ct` ends in CT (Court, and Connecticut): without a ZIP or a comma before it, a
    // suffix-looking code after a house number is the street's suffix unless a street suffix
    // already came earlier in the part (`1200 Main St Hartford CT`).
    const mayBeSuffix =
      found.length === 1 &&
      STREET_SUFFIXES.has(last.at(-1)!) &&
      zip === undefined &&
      startsWithNumber(rest) &&
      !rest.slice(1, -1).some((word) => COMMON_SUFFIXES.has(STREET_SUFFIXES.get(word) ?? ''));
    if (!mayBeSuffix) {
      state = found.code;
      if (rest.length > 0) parts[parts.length - 1] = rest;
      else parts.pop();
    }
  }

  let street: string[] | undefined;
  const units: string[] = [];
  let city: string[] | undefined;
  const beforeStreet: string[][] = [];
  for (const tokens of parts) {
    const unit = unitAt(tokens, 0);
    if (unit) {
      units.push(unit.unit);
      continue;
    }
    if (!street && (startsWithNumber(tokens) || isPoBox(tokens))) {
      street = tokens;
    } else if (street) {
      // `1200 Main St, Downtown, Austin`: the last plain part is the city.
      city = tokens;
    } else {
      beforeStreet.push(tokens);
    }
  }
  if (!street && beforeStreet.length > 0) {
    // No numbered street: `Austin`, or `Main St, Austin` (a street without a number).
    city = beforeStreet.at(-1);
    const first = beforeStreet[0]!;
    if (beforeStreet.length > 1 && COMMON_SUFFIXES.has(STREET_SUFFIXES.get(first.at(-1)!) ?? '')) {
      street = first;
    }
  }

  if (street) {
    const split = splitStreetLine(street, !city && (state !== undefined || zip !== undefined));
    street = split.street;
    units.unshift(...split.units);
    if (split.city.length > 0) city = split.city;
  }

  const normalisedStreet = street && street.length > 0 ? formatStreet(parseStreet(street)) : undefined;
  return {
    ...(normalisedStreet ? { street: normalisedStreet } : {}),
    ...(units.length > 0 ? { unit: units.join(' ') } : {}),
    ...(city && city.length > 0 ? { city: normalizeCity(city.join(' ')) } : {}),
    ...(state ? { state } : {}),
    ...(zip ? { zip } : {}),
  };
}

/**
 * Cuts inline units (`1200 Main St Ste 4`) out of a street part and, when the line had no comma
 * before its state or ZIP (`1200 Main St Austin TX`), the city that trails the street.
 */
function splitStreetLine(
  tokens: readonly string[],
  cityMayTrail: boolean,
): { street: string[]; units: string[]; city: string[] } {
  const street: string[] = [];
  const units: string[] = [];
  let afterUnit = -1;
  for (let i = 0; i < tokens.length; i += 1) {
    // Index 0 is the house number; a designator there would be a unit-only part, handled before.
    const unit = i > 0 ? unitAt(tokens, i) : undefined;
    if (unit) {
      units.push(unit.unit);
      i += unit.length - 1;
      afterUnit = i + 1;
    } else if (afterUnit >= 0 && cityMayTrail) {
      break;
    } else {
      street.push(tokens[i]!);
    }
  }
  if (!cityMayTrail) return { street, units, city: [] };
  if (afterUnit >= 0) return { street, units, city: tokens.slice(afterUnit) };

  // No unit to mark the end of the street: it ends at the last common suffix, plus a route
  // number (`Hwy 290`) and a post-directional (`Main St N`) right after it.
  let end = -1;
  for (let i = 1; i < street.length; i += 1) {
    if (COMMON_SUFFIXES.has(STREET_SUFFIXES.get(street[i]!) ?? '')) end = i;
  }
  if (end < 0) return { street, units, city: [] };
  if (/^\d/.test(street[end + 1] ?? '')) end += 1;
  if (DIRECTIONALS.has(street[end + 1] ?? '') && street.length > end + 2) end += 1;
  return { street: street.slice(0, end + 1), units, city: street.slice(end + 1) };
}

/** A street in parts, each in Publication 28 form. */
interface StreetParts {
  readonly number?: string;
  readonly preDirectional?: string;
  /** The street's name words, the suffix not among them. */
  readonly name: readonly string[];
  readonly suffix?: string;
  /** Where the suffix stands among the name words: last in `MAIN ST`, first in `HWY 290`. */
  readonly suffixAt: number;
  readonly postDirectional?: string;
}

/**
 * Finds the parts of a street. Only the last suffix word is the suffix (`Park Avenue` is
 * `PARK AVE`, `Avenue Road` is `AVENUE RD`), and a lone word is always the name (`North St` keeps
 * `NORTH`, `100 Park` keeps `PARK`).
 */
function parseStreet(tokens: readonly string[]): StreetParts {
  const rest = [...tokens];
  const number = /^\d/.test(rest[0] ?? '') ? rest.shift() : undefined;
  let preDirectional: string | undefined;
  let postDirectional: string | undefined;
  let suffix: string | undefined;
  let suffixAt = -1;
  if (rest.length > 1) {
    for (let i = rest.length - 1; i >= 0; i -= 1) {
      const standard = STREET_SUFFIXES.get(rest[i]!);
      if (standard) {
        suffix = standard;
        suffixAt = i;
        rest.splice(i, 1);
        break;
      }
    }
  }
  if (rest.length > 1 && DIRECTIONALS.has(rest[0]!)) {
    preDirectional = DIRECTIONALS.get(rest.shift()!);
    suffixAt -= 1;
  }
  if (rest.length > 1 && DIRECTIONALS.has(rest.at(-1)!)) postDirectional = DIRECTIONALS.get(rest.pop()!);
  const name = rest.map((word) => ORDINALS.get(word) ?? word);
  return {
    ...(number !== undefined ? { number } : {}),
    ...(preDirectional ? { preDirectional } : {}),
    name,
    ...(suffix ? { suffix } : {}),
    suffixAt: Math.min(Math.max(suffixAt, 0), name.length),
    ...(postDirectional ? { postDirectional } : {}),
  };
}

function formatStreet(parts: StreetParts): string {
  const name = [...parts.name];
  if (parts.suffix) name.splice(parts.suffixAt, 0, parts.suffix);
  return [parts.number, parts.preDirectional, ...name, parts.postDirectional]
    .filter((part) => part !== undefined)
    .join(' ');
}

/**
 * Normalises a street line on its own: `1200 West Main Street` → `1200 W MAIN ST`. A unit in
 * the line is dropped; {@link parseAddress} keeps it apart.
 */
export function normalizeStreet(text: string): string {
  return formatStreet(parseStreet(splitStreetLine(words(clean(text)), false).street));
}

/**
 * Whether two normalised streets name the same place. House number and name must be equal;
 * a directional or suffix present on one side only is not a difference (`1200 Main St` is
 * `1200 W Main St` written loosely), while two different ones are (`W` vs `E`).
 */
export function sameStreet(a: string, b: string): boolean {
  const left = parseStreet(words(a));
  const right = parseStreet(words(b));
  const agree = (x: string | undefined, y: string | undefined) => x === undefined || y === undefined || x === y;
  return (
    agree(left.number, right.number) &&
    left.name.join(' ') === right.name.join(' ') &&
    agree(left.preDirectional, right.preDirectional) &&
    agree(left.suffix, right.suffix) &&
    agree(left.postDirectional, right.postDirectional)
  );
}

/**
 * Whether two normalised units are the same: their values are compared and designators
 * ignored, since sites write one suite as `Ste 4`, `Suite 4`, `Unit 4` or `#4`.
 */
export function sameUnit(a: string, b: string): boolean {
  const values = (unit: string) =>
    unit
      .split(' ')
      .filter((word) => !UNIT_DESIGNATORS.has(word))
      .join(' ');
  return values(a) === values(b);
}

/**
 * Words a person puts around a city name in a search box (`downtown Austin`, `greater Austin
 * area`, `City of Austin`). Directions are not among them: `South Bend` and `West Palm Beach`
 * are cities of their own.
 */
const CITY_QUALIFIERS: ReadonlySet<string> = new Set(['DOWNTOWN', 'UPTOWN', 'MIDTOWN', 'GREATER', 'AREA', 'METRO']);

/**
 * A city in comparable form: upper-case, `Saint`/`Fort`/`Mount` abbreviated, punctuation and
 * search-box qualifiers (`downtown`, `greater … area`, `City of`) gone.
 */
export function normalizeCity(text: string): string {
  let cityWords = words(clean(text))
    .filter((word) => word !== '#')
    .map((word) => CITY_WORDS.get(word) ?? word);
  if (cityWords[0] === 'CITY' && cityWords[1] === 'OF' && cityWords.length > 2) cityWords = cityWords.slice(2);
  const unqualified = cityWords.filter((word) => !CITY_QUALIFIERS.has(word));
  return (unqualified.length > 0 ? unqualified : cityWords).join(' ');
}
