/**
 * Published facts about how one business's name and address are written differently, for the
 * held-out matching evaluation (`scripts/eval-held-out.ts`). Written by hand from the sources
 * cited per table; nothing here is produced by the matcher's code, and the matcher MUST NOT
 * import this file (the evaluation would then grade the matcher on its own tables).
 *
 * The businesses are fictional (phones in the 555-01xx range the North American Numbering Plan
 * reserves for fiction), placed on real streets' patterns in real cities and neighbourhoods.
 */

/**
 * Street suffixes: the USPS primary name, its standard abbreviation, and a common non-standard
 * form seen in listings. Source: USPS Publication 28, Appendix C1 "Street Suffix
 * Abbreviations" (primary name, commonly used suffix or abbreviation, Postal Service standard
 * abbreviation).
 */
export const STREET_SUFFIXES: readonly (readonly [full: string, standard: string, variant: string])[] = [
  ['Boulevard', 'Blvd', 'Boul'],
  ['Avenue', 'Ave', 'Av'],
  ['Street', 'St', 'Str'],
  ['Road', 'Rd', 'Road'],
  ['Drive', 'Dr', 'Driv'],
  ['Parkway', 'Pkwy', 'Parkwy'],
  ['Highway', 'Hwy', 'Highwy'],
  ['Place', 'Pl', 'Place'],
  ['Court', 'Ct', 'Court'],
  ['Lane', 'Ln', 'Lane'],
  ['Terrace', 'Ter', 'Terr'],
  ['Square', 'Sq', 'Sqr'],
  ['Center', 'Ctr', 'Centr'],
  ['Circle', 'Cir', 'Circ'],
  ['Trail', 'Trl', 'Trail'],
  ['Expressway', 'Expy', 'Expw'],
];

/**
 * Directionals and where a listing puts them: before the street name or after the suffix.
 * Source: USPS Publication 28, §233 and Appendix B "Directionals" (North N, South S, East E,
 * West W, and the two-letter intermediates).
 */
export const DIRECTIONALS: readonly (readonly [full: string, abbreviation: string])[] = [
  ['North', 'N'],
  ['South', 'S'],
  ['East', 'E'],
  ['West', 'W'],
  ['Northeast', 'NE'],
  ['Northwest', 'NW'],
  ['Southeast', 'SE'],
  ['Southwest', 'SW'],
];

/** Secondary unit designators. Source: USPS Publication 28, Appendix C2. */
export const UNIT_DESIGNATORS: readonly (readonly [full: string, abbreviation: string])[] = [
  ['Suite', 'Ste'],
  ['Apartment', 'Apt'],
  ['Floor', 'Fl'],
  ['Room', 'Rm'],
  ['Building', 'Bldg'],
  ['Unit', '#'],
];

/**
 * Words of business names and their usual short forms, as style guides and directories list
 * them (AP Stylebook "company names": Co., Corp., Inc., Bros.; the abbreviations in USPS
 * Publication 28 Appendix C for business words such as Center/Ctr, Saint/St, Mount/Mt,
 * Fort/Ft; and everyday menu/shop words: Delicatessen/Deli, Associates/Assocs).
 */
export const NAME_ABBREVIATIONS: readonly (readonly [full: string, short: string])[] = [
  ['Delicatessen', 'Deli'],
  ['Brothers', 'Bros'],
  ['Company', 'Co'],
  ['Associates', 'Assocs'],
  ['Center', 'Ctr'],
  ['Saint', 'St'],
  ['Mount', 'Mt'],
  ['Fort', 'Ft'],
  ['Doctor', 'Dr'],
  ['International', 'Intl'],
  ['Manufacturing', 'Mfg'],
  ['Services', 'Svcs'],
  ['Automotive', 'Auto'],
  ['Laboratory', 'Lab'],
  ['and', '&'],
];

/**
 * Neighbourhoods, boroughs and enclaves listed instead of their city (or the reverse), each in
 * one metro area. Sources: the cities' own neighbourhood maps and the USPS "acceptable city
 * names" for their ZIP codes (e.g. 20007 Georgetown → Washington DC; 11216 Bedford-Stuyvesant
 * and 11211 Williamsburg → Brooklyn NY; 91601 North Hollywood and 91405 Van Nuys → Los Angeles
 * CA; 60622 Wicker Park → Chicago IL; 98107 Ballard → Seattle WA; 02130 Jamaica Plain → Boston
 * MA; 94110 Mission District → San Francisco CA; 30305 Buckhead → Atlanta GA).
 */
export const NEIGHBOURHOODS: readonly (readonly [neighbourhood: string, city: string, state: string, zip: string])[] = [
  ['Georgetown', 'Washington', 'DC', '20007'],
  ['Bed-Stuy', 'Brooklyn', 'NY', '11216'],
  ['Williamsburg', 'Brooklyn', 'NY', '11211'],
  ['N. Hollywood', 'Los Angeles', 'CA', '91601'],
  ['Van Nuys', 'Los Angeles', 'CA', '91405'],
  ['Wicker Park', 'Chicago', 'IL', '60622'],
  ['Ballard', 'Seattle', 'WA', '98107'],
  ['Jamaica Plain', 'Boston', 'MA', '02130'],
  ['Mission District', 'San Francisco', 'CA', '94110'],
  ['Buckhead', 'Atlanta', 'GA', '30305'],
];

/** Ways a US phone number is written in listings (NANP: area code, exchange, line). */
export const PHONE_FORMATS: readonly ((area: string, exchange: string, line: string) => string)[] = [
  (a, e, l) => `(${a}) ${e}-${l}`,
  (a, e, l) => `${a}/${e}-${l}`,
  (a, e, l) => `${a}.${e}.${l}`,
  (a, e, l) => `+1 ${a} ${e} ${l}`,
  (a, e, l) => `1-${a}-${e}-${l}`,
];

/**
 * Descriptive words a guide adds before or after a name (the trade of the place), as the
 * examples of the issue: `Trattoria Rosa` / `Rosa`, `Mei Lin's` / `Mei Lin's Fine Szechuan
 * Cuisine`, `Anchor, The` / `The Anchor Oyster Bar`.
 */
export const DESCRIPTIVE_PREFIXES: readonly string[] = ['Trattoria', 'Cafe', 'Taqueria', 'Pizzeria', 'Bistro', 'Salon'];
export const DESCRIPTIVE_TAILS: readonly string[] = ['Fine Szechuan Cuisine', 'Oyster Bar', 'Family Restaurant', 'Coffee Roasters', 'Hair Studio'];

/** A base business: what its owner would type. Fictional; see the module comment. */
export interface HeldOutBusiness {
  readonly name: string;
  readonly number: string;
  readonly directional?: string;
  readonly street: string;
  readonly suffix: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
  /** Ten digits. */
  readonly phone: string;
}

/**
 * Base businesses. Several share a distinctive word with another in the same city (namesakes
 * that must stay apart): Blue Heron Cafe / Blue Heron Dental, Rosa's Flowers / Trattoria Rosa.
 */
export const BUSINESSES: readonly HeldOutBusiness[] = [
  { name: "Mei Lin's", number: '418', street: 'Grant', suffix: 'Avenue', city: 'San Francisco', state: 'CA', zip: '94108', phone: '4155550101' },
  { name: 'Blue Heron Cafe', number: '2132', directional: 'Northwest', street: 'Hoyt', suffix: 'Street', city: 'Portland', state: 'OR', zip: '97210', phone: '5035550134' },
  { name: 'Blue Heron Dental', number: '1020', directional: 'Southwest', street: 'Taylor', suffix: 'Street', city: 'Portland', state: 'OR', zip: '97205', phone: '5035550177' },
  { name: 'The Anchor', number: '579', street: 'Castro', suffix: 'Street', city: 'San Francisco', state: 'CA', zip: '94114', phone: '4155550122' },
  { name: 'Rosa', number: '290', street: 'Smith', suffix: 'Street', city: 'Brooklyn', state: 'NY', zip: '11231', phone: '7185550140' },
  { name: "Rosa's Flowers", number: '77', street: 'Court', suffix: 'Street', city: 'Brooklyn', state: 'NY', zip: '11201', phone: '7185550188' },
  { name: "Katz's Delicatessen", number: '205', directional: 'East', street: 'Houston', suffix: 'Street', city: 'New York', state: 'NY', zip: '10002', phone: '2125550119' },
  { name: 'Russo Brothers Plumbing', number: '1450', street: 'Wilshire', suffix: 'Boulevard', city: 'Los Angeles', state: 'CA', zip: '90017', phone: '2135550156' },
  { name: 'Saint Elmo Steak House', number: '127', directional: 'South', street: 'Illinois', suffix: 'Street', city: 'Indianapolis', state: 'IN', zip: '46225', phone: '3175550162' },
  { name: 'Harbor Light Associates', number: '88', street: 'Broad', suffix: 'Street', city: 'Boston', state: 'MA', zip: '02110', phone: '6175550103' },
  { name: 'Lakeview Medical Center', number: '3400', directional: 'North', street: 'Broadway', suffix: 'Street', city: 'Chicago', state: 'IL', zip: '60657', phone: '7735550145' },
  { name: 'Golden Gate Automotive', number: '1601', street: 'Bryant', suffix: 'Street', city: 'San Francisco', state: 'CA', zip: '94103', phone: '4155550168' },
  { name: 'Pike Place Laboratory', number: '1501', street: 'Pike', suffix: 'Place', city: 'Seattle', state: 'WA', zip: '98101', phone: '2065550171' },
  { name: 'Mount Vernon Dry Cleaners', number: '5510', street: 'Connecticut', suffix: 'Avenue', city: 'Washington', state: 'DC', zip: '20015', phone: '2025550183' },
  { name: 'Peachtree International Market', number: '3255', street: 'Peachtree', suffix: 'Road', city: 'Atlanta', state: 'GA', zip: '30305', phone: '4045550114' },
  { name: 'Ortega Tile & Stone', number: '902', directional: 'West', street: 'Alameda', suffix: 'Avenue', city: 'Burbank', state: 'CA', zip: '91506', phone: '8185550127' },
  { name: 'Fort Greene Pediatrics', number: '65', street: 'Lafayette', suffix: 'Avenue', city: 'Brooklyn', state: 'NY', zip: '11217', phone: '7185550139' },
  { name: 'Cedar Ridge Veterinary', number: '7300', street: 'Lake City', suffix: 'Way', city: 'Seattle', state: 'WA', zip: '98115', phone: '2065550150' },
  { name: 'Southside Tire Services', number: '4410', directional: 'South', street: 'Cottage Grove', suffix: 'Avenue', city: 'Chicago', state: 'IL', zip: '60653', phone: '7735550161' },
  { name: 'Hollis Manufacturing Company', number: '19', street: 'Industrial', suffix: 'Parkway', city: 'Dallas', state: 'TX', zip: '75207', phone: '2145550172' },
];
