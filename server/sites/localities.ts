/**
 * Neighbourhoods, boroughs and communities that listings give instead of their city: one place,
 * two names (`Georgetown` / `Washington`, `Bed-Stuy` / `Brooklyn`, `North Hollywood` /
 * `Los Angeles`). Many are USPS "acceptable" city names for their ZIP codes (a letter to 91601
 * may say North Hollywood or Los Angeles); the rest are the cities' official neighbourhood or
 * community names.
 *
 * Names are compared after `normalizeCity` (upper case, `N.` as `N`), so each neighbourhood is
 * written as it normalises. Hand-written because no maintained npm package maps neighbourhoods
 * to cities without a geocoder; the table is small on purpose: a wrong entry would join two
 * places, so only unambiguous names within their state are listed.
 */
import { normalizeCity } from './normalize-address';

/** City → [state, its neighbourhoods and communities]. */
const METROS: readonly (readonly [city: string, state: string, parts: readonly string[]])[] = [
  // Manhattan's postal city is New York; the other boroughs are cities of their own to USPS, and
  // joining them to New York would join millions of businesses (a namesake in another borough).
  ['New York', 'NY', ['Manhattan', 'Harlem', 'East Harlem', 'Tribeca', 'SoHo', 'Chelsea', 'Greenwich Village', 'East Village', 'Lower East Side', 'Upper West Side', 'Upper East Side']],
  ['Queens', 'NY', ['Astoria', 'Flushing', 'Long Island City', 'Jamaica', 'Jackson Heights', 'Forest Hills']],
  ['Brooklyn', 'NY', ['Bed-Stuy', 'Bedford-Stuyvesant', 'Williamsburg', 'Park Slope', 'Bushwick', 'Greenpoint', 'Red Hook', 'Fort Greene', 'Cobble Hill', 'Carroll Gardens', 'DUMBO', 'Crown Heights', 'Flatbush', 'Bay Ridge']],
  ['Los Angeles', 'CA', ['North Hollywood', 'N Hollywood', 'No Hollywood', 'Hollywood', 'Van Nuys', 'Sherman Oaks', 'Encino', 'Studio City', 'Reseda', 'Tarzana', 'Woodland Hills', 'Canoga Park', 'Northridge', 'Venice', 'San Pedro', 'Wilmington', 'Sylmar', 'Silver Lake', 'Echo Park', 'Eagle Rock', 'Highland Park', 'Westwood']],
  ['Washington', 'DC', ['Georgetown', 'Adams Morgan', 'Dupont Circle', 'Capitol Hill', 'Foggy Bottom', 'Anacostia', 'Navy Yard', 'Shaw', 'Columbia Heights']],
  ['Chicago', 'IL', ['Wicker Park', 'Lincoln Park', 'Lakeview', 'Hyde Park', 'Logan Square', 'Pilsen', 'Bucktown', 'Andersonville', 'Rogers Park', 'Wrigleyville']],
  ['Seattle', 'WA', ['Ballard', 'Fremont', 'Capitol Hill', 'Queen Anne', 'Wallingford', 'Georgetown', 'West Seattle', 'Belltown', 'Green Lake']],
  ['Boston', 'MA', ['Jamaica Plain', 'Dorchester', 'Roxbury', 'Charlestown', 'South Boston', 'Brighton', 'Allston', 'Back Bay', 'Roslindale', 'West Roxbury', 'Hyde Park', 'East Boston']],
  ['San Francisco', 'CA', ['Mission District', 'The Mission', 'Noe Valley', 'Castro', 'Haight-Ashbury', 'North Beach', 'SoMa', 'Pacific Heights', 'Sunset District', 'Richmond District', 'Chinatown']],
  ['Atlanta', 'GA', ['Buckhead', 'Midtown Atlanta', 'Virginia-Highland', 'Little Five Points', 'Inman Park', 'West End']],
  ['Houston', 'TX', ['Montrose', 'The Heights', 'Houston Heights', 'Kingwood', 'Clear Lake']],
  ['Philadelphia', 'PA', ['Fishtown', 'Manayunk', 'Germantown', 'Chestnut Hill', 'Roxborough', 'South Philly']],
  ['Portland', 'OR', ['Pearl District', 'Sellwood', 'St Johns', 'Hawthorne District', 'Alberta Arts District']],
];

/** `STATE|PART` → city, both normalised. */
const CITY_OF: ReadonlyMap<string, string> = new Map(
  METROS.flatMap(([city, state, parts]) => parts.map((part): [string, string] => [`${state}|${normalizeCity(part)}`, normalizeCity(city)])),
);

/** The city a locality belongs to, within `state` (itself when it is no known neighbourhood). Normalised names in, normalised out. */
function cityOf(locality: string, state: string | undefined): string {
  return state === undefined ? locality : (CITY_OF.get(`${state}|${locality}`) ?? locality);
}

/**
 * Whether two normalised localities name one place: equal, or one a neighbourhood of the other,
 * or both neighbourhoods of one city (`Williamsburg` and `Bed-Stuy`: one metro area). Needs the
 * state: the same neighbourhood name exists in several cities (Georgetown, Capitol Hill).
 */
export function sameLocality(a: string, b: string, state: string | undefined): boolean {
  if (a === b) return true;
  if (state === undefined) return false;
  return cityOf(a, state) === cityOf(b, state);
}
