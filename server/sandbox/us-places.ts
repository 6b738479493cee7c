/**
 * Real US places for the sandbox dataset: cities with a real ZIP code and the area codes that
 * serve them, the states, and the USPS Publication 28 abbreviations that listings vary on.
 */

/** One real US city, with one real ZIP inside it and its area codes (overlays included). */
export interface UsCity {
  readonly city: string;
  /** USPS two-letter state code. */
  readonly state: string;
  readonly zip: string;
  readonly areaCodes: readonly string[];
  /** Local nicknames used in business names ("Mile High Roofing"). */
  readonly nicknames?: readonly string[];
}

/**
 * The cities businesses are placed in. Two Springfields and two Portlands are here on purpose:
 * a location filter must tell them apart by state.
 */
export const US_CITIES: readonly UsCity[] = [
  { city: 'New York', state: 'NY', zip: '10001', areaCodes: ['212', '646', '917'], nicknames: ['Big Apple', 'Manhattan'] },
  { city: 'Brooklyn', state: 'NY', zip: '11201', areaCodes: ['718', '347', '929'] },
  { city: 'Buffalo', state: 'NY', zip: '14202', areaCodes: ['716'], nicknames: ['Queen City'] },
  { city: 'Los Angeles', state: 'CA', zip: '90012', areaCodes: ['213', '323'], nicknames: ['Hollywood', 'City of Angels'] },
  { city: 'San Francisco', state: 'CA', zip: '94103', areaCodes: ['415', '628'], nicknames: ['Bay Area', 'Golden Gate'] },
  { city: 'San Diego', state: 'CA', zip: '92101', areaCodes: ['619', '858'] },
  { city: 'San Jose', state: 'CA', zip: '95113', areaCodes: ['408', '669'], nicknames: ['Silicon Valley'] },
  { city: 'Sacramento', state: 'CA', zip: '95814', areaCodes: ['916', '279'] },
  { city: 'Chicago', state: 'IL', zip: '60601', areaCodes: ['312', '872'], nicknames: ['Windy City', 'Lakeshore'] },
  { city: 'Springfield', state: 'IL', zip: '62701', areaCodes: ['217'] },
  { city: 'Houston', state: 'TX', zip: '77002', areaCodes: ['713', '281', '832'], nicknames: ['Bayou City'] },
  { city: 'Dallas', state: 'TX', zip: '75201', areaCodes: ['214', '469', '972'], nicknames: ['Big D'] },
  { city: 'Austin', state: 'TX', zip: '78701', areaCodes: ['512', '737'] },
  { city: 'San Antonio', state: 'TX', zip: '78205', areaCodes: ['210', '726'], nicknames: ['Alamo City'] },
  { city: 'Fort Worth', state: 'TX', zip: '76102', areaCodes: ['817', '682'], nicknames: ['Cowtown'] },
  { city: 'El Paso', state: 'TX', zip: '79901', areaCodes: ['915'], nicknames: ['Sun City'] },
  { city: 'Phoenix', state: 'AZ', zip: '85004', areaCodes: ['602', '623'], nicknames: ['Valley of the Sun'] },
  { city: 'Tucson', state: 'AZ', zip: '85701', areaCodes: ['520'], nicknames: ['Old Pueblo'] },
  { city: 'Philadelphia', state: 'PA', zip: '19103', areaCodes: ['215', '267'], nicknames: ['Liberty Bell', 'Brotherly Love'] },
  { city: 'Pittsburgh', state: 'PA', zip: '15222', areaCodes: ['412', '878'], nicknames: ['Steel City', 'Three Rivers'] },
  { city: 'Jacksonville', state: 'FL', zip: '32202', areaCodes: ['904'], nicknames: ['First Coast'] },
  { city: 'Miami', state: 'FL', zip: '33130', areaCodes: ['305', '786'], nicknames: ['Magic City', 'Biscayne'] },
  { city: 'Tampa', state: 'FL', zip: '33602', areaCodes: ['813'], nicknames: ['Tampa Bay'] },
  { city: 'Orlando', state: 'FL', zip: '32801', areaCodes: ['407', '689'] },
  { city: 'Columbus', state: 'OH', zip: '43215', areaCodes: ['614', '380'] },
  { city: 'Cleveland', state: 'OH', zip: '44114', areaCodes: ['216'], nicknames: ['Forest City'] },
  { city: 'Charlotte', state: 'NC', zip: '28202', areaCodes: ['704', '980'], nicknames: ['Queen City'] },
  { city: 'Raleigh', state: 'NC', zip: '27601', areaCodes: ['919', '984'], nicknames: ['Triangle', 'Oak City'] },
  { city: 'Indianapolis', state: 'IN', zip: '46204', areaCodes: ['317', '463'], nicknames: ['Circle City'] },
  { city: 'Seattle', state: 'WA', zip: '98101', areaCodes: ['206', '564'], nicknames: ['Emerald City', 'Puget Sound'] },
  { city: 'Denver', state: 'CO', zip: '80202', areaCodes: ['303', '720'], nicknames: ['Mile High'] },
  { city: 'Washington', state: 'DC', zip: '20001', areaCodes: ['202'], nicknames: ['Capitol', 'Potomac'] },
  { city: 'Boston', state: 'MA', zip: '02108', areaCodes: ['617', '857'], nicknames: ['Back Bay', 'Beacon Hill'] },
  { city: 'Nashville', state: 'TN', zip: '37203', areaCodes: ['615', '629'], nicknames: ['Music City'] },
  { city: 'Memphis', state: 'TN', zip: '38103', areaCodes: ['901'], nicknames: ['Bluff City'] },
  { city: 'Portland', state: 'OR', zip: '97204', areaCodes: ['503', '971'], nicknames: ['Rose City'] },
  { city: 'Portland', state: 'ME', zip: '04101', areaCodes: ['207'], nicknames: ['Casco Bay'] },
  { city: 'Las Vegas', state: 'NV', zip: '89101', areaCodes: ['702', '725'], nicknames: ['Silver State'] },
  { city: 'Detroit', state: 'MI', zip: '48226', areaCodes: ['313'], nicknames: ['Motor City'] },
  { city: 'Louisville', state: 'KY', zip: '40202', areaCodes: ['502'], nicknames: ['Derby City'] },
  { city: 'Baltimore', state: 'MD', zip: '21202', areaCodes: ['410', '443', '667'], nicknames: ['Charm City', 'Inner Harbor'] },
  { city: 'Milwaukee', state: 'WI', zip: '53202', areaCodes: ['414'], nicknames: ['Brew City'] },
  { city: 'Albuquerque', state: 'NM', zip: '87102', areaCodes: ['505'], nicknames: ['Duke City'] },
  { city: 'Kansas City', state: 'MO', zip: '64106', areaCodes: ['816'] },
  { city: 'Springfield', state: 'MO', zip: '65806', areaCodes: ['417'], nicknames: ['Ozark'] },
  { city: 'St. Louis', state: 'MO', zip: '63101', areaCodes: ['314'], nicknames: ['Gateway', 'Gateway Arch'] },
  { city: 'Atlanta', state: 'GA', zip: '30303', areaCodes: ['404', '470', '678'], nicknames: ['Peachtree'] },
  { city: 'Minneapolis', state: 'MN', zip: '55401', areaCodes: ['612'], nicknames: ['North Star', 'Twin Cities'] },
  { city: 'Omaha', state: 'NE', zip: '68102', areaCodes: ['402', '531'] },
  { city: 'New Orleans', state: 'LA', zip: '70112', areaCodes: ['504'], nicknames: ['Crescent City', 'Big Easy'] },
  { city: 'Salt Lake City', state: 'UT', zip: '84111', areaCodes: ['801', '385'], nicknames: ['Wasatch'] },
  { city: 'Oklahoma City', state: 'OK', zip: '73102', areaCodes: ['405'] },
  { city: 'Boise', state: 'ID', zip: '83702', areaCodes: ['208', '986'], nicknames: ['Treasure Valley'] },
  { city: 'Anchorage', state: 'AK', zip: '99501', areaCodes: ['907'], nicknames: ['Last Frontier'] },
  { city: 'Honolulu', state: 'HI', zip: '96813', areaCodes: ['808'], nicknames: ['Aloha', 'Diamond Head'] },
  { city: 'Burlington', state: 'VT', zip: '05401', areaCodes: ['802'], nicknames: ['Green Mountain'] },
  { city: 'Providence', state: 'RI', zip: '02903', areaCodes: ['401'], nicknames: ['Ocean State'] },
  { city: 'Hartford', state: 'CT', zip: '06103', areaCodes: ['860', '959'], nicknames: ['Charter Oak'] },
];

/** USPS state codes → names (the 50 states and DC). */
export const US_STATES: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas',
  KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts',
  MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana',
  NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico',
  NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma',
  OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota',
  TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington',
  WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};

/** State-wide words businesses take their names from ("Lone Star Dental Care"). */
export const STATE_NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  TX: ['Lone Star', 'Texas', 'Bluebonnet', 'Hill Country'],
  CA: ['Golden State', 'Pacific', 'California', 'Sierra'],
  NY: ['Empire', 'Empire State', 'Hudson'],
  FL: ['Sunshine', 'Gulf Coast', 'Coastal', 'Palmetto'],
  IL: ['Prairie', 'Land of Lincoln'],
  AZ: ['Desert', 'Saguaro', 'Grand Canyon'],
  PA: ['Keystone', 'Penn'],
  OH: ['Buckeye', 'Ohio Valley'],
  NC: ['Tar Heel', 'Carolina'],
  WA: ['Evergreen', 'Cascade'],
  CO: ['Rocky Mountain', 'Front Range', 'Centennial'],
  MA: ['Bay State', 'Minuteman'],
  TN: ['Volunteer', 'Tennessee'],
  OR: ['Cascade', 'Willamette', 'Beaver State'],
  ME: ['Pine Tree', 'Downeast'],
  MI: ['Great Lakes', 'Wolverine'],
  GA: ['Peach State', 'Georgia'],
  MN: ['Land of Lakes', 'Gopher State'],
  MO: ['Show Me', 'Heartland'],
  UT: ['Beehive', 'Wasatch'],
  LA: ['Bayou', 'Pelican State'],
};

/** Names that fit anywhere ("Premier Plumbing"). */
export const GENERIC_PLACE_WORDS: readonly string[] = [
  'American', 'Liberty', 'Premier', 'First Choice', 'All Star', 'Precision', 'Reliable', 'Elite',
  'Summit', 'Pinnacle', 'Metro', 'Allied', 'United', 'Quality', 'Advanced', 'Affordable', 'Express',
  'Trusted', 'Hometown', 'Neighborhood', 'Family', 'Total', 'Pro', 'Heritage', 'Frontier', 'Keystone',
];

/** Street names (without suffix). */
export const STREET_NAMES: readonly string[] = [
  'Main', 'Oak', 'Elm', 'Maple', 'Cedar', 'Pine', 'Washington', 'Lincoln', 'Jefferson', 'Park',
  'Lake', 'Hill', 'Church', 'Market', 'Mill', 'River', 'Spring', 'Center', 'Union', 'High',
  'Walnut', 'Chestnut', 'Sunset', 'Highland', 'Forest', 'Meadow', 'Ridge', 'Franklin', 'Madison',
  'Jackson', 'Adams', 'Monroe', 'Grant', 'Cherry', 'Willow', 'Birch', 'Valley', 'Lakeview',
  'Commerce', 'Industrial', 'College', 'University', 'Airport', 'Bridge', 'Water', 'Front',
  'Court', 'Locust', 'Poplar', 'Magnolia', 'Dogwood', 'Hickory', 'Sycamore', 'Riverside',
  '1st', '2nd', '3rd', '4th', '5th', '6th', '7th', '8th', '9th', '10th', '12th', '14th', '21st',
  'Martin Luther King Jr', 'Cesar Chavez', 'Old Mill', 'Country Club', 'Fair Oaks', 'Pleasant',
];

/** USPS Publication 28 street suffixes: standard abbreviation → the word as people write it. */
export const STREET_SUFFIXES: Readonly<Record<string, string>> = {
  St: 'Street', Ave: 'Avenue', Blvd: 'Boulevard', Rd: 'Road', Dr: 'Drive', Ln: 'Lane',
  Pkwy: 'Parkway', Ct: 'Court', Pl: 'Place', Hwy: 'Highway', Cir: 'Circle', Trl: 'Trail',
  Ter: 'Terrace', Sq: 'Square',
};

/** Suffixes weighted the way streets are: mostly St, Ave, Rd, Dr, Blvd. */
export const COMMON_SUFFIXES: readonly string[] = [
  'St', 'St', 'St', 'St', 'Ave', 'Ave', 'Ave', 'Rd', 'Rd', 'Dr', 'Dr', 'Blvd', 'Blvd', 'Ln', 'Pkwy',
  'Ct', 'Pl', 'Hwy', 'Cir', 'Trl', 'Ter', 'Sq',
];

/** USPS directionals: abbreviation → word. */
export const DIRECTIONALS: Readonly<Record<string, string>> = {
  N: 'North', S: 'South', E: 'East', W: 'West', NE: 'Northeast', NW: 'Northwest', SE: 'Southeast', SW: 'Southwest',
};

/**
 * Approximate centre of each city in {@link US_CITIES} (latitude, longitude in degrees), keyed
 * `City|ST`: where the place APIs put a city's businesses, and what `ll`/`at`/`proximity` resolve to.
 */
export const CITY_POSITIONS: Readonly<Record<string, readonly [number, number]>> = {
  'New York|NY': [40.7506, -73.9972], 'Brooklyn|NY': [40.6939, -73.9897], 'Buffalo|NY': [42.8864, -78.8784],
  'Los Angeles|CA': [34.0614, -118.2385], 'San Francisco|CA': [37.7725, -122.4147], 'San Diego|CA': [32.7157, -117.1611],
  'San Jose|CA': [37.3382, -121.8863], 'Sacramento|CA': [38.5816, -121.4944], 'Chicago|IL': [41.8858, -87.6229],
  'Springfield|IL': [39.8017, -89.6437], 'Houston|TX': [29.7604, -95.3698], 'Dallas|TX': [32.7876, -96.7994],
  'Austin|TX': [30.2672, -97.7431], 'San Antonio|TX': [29.4241, -98.4936], 'Fort Worth|TX': [32.7555, -97.3308],
  'El Paso|TX': [31.7619, -106.485], 'Phoenix|AZ': [33.4484, -112.074], 'Tucson|AZ': [32.2226, -110.9747],
  'Philadelphia|PA': [39.9526, -75.1652], 'Pittsburgh|PA': [40.4406, -79.9959], 'Jacksonville|FL': [30.3322, -81.6557],
  'Miami|FL': [25.7617, -80.1918], 'Tampa|FL': [27.9506, -82.4572], 'Orlando|FL': [28.5384, -81.3789],
  'Columbus|OH': [39.9612, -82.9988], 'Cleveland|OH': [41.4993, -81.6944], 'Charlotte|NC': [35.2271, -80.8431],
  'Raleigh|NC': [35.7796, -78.6382], 'Indianapolis|IN': [39.7684, -86.1581], 'Seattle|WA': [47.6062, -122.3321],
  'Denver|CO': [39.7392, -104.9903], 'Washington|DC': [38.9072, -77.0369], 'Boston|MA': [42.3601, -71.0589],
  'Nashville|TN': [36.1627, -86.7816], 'Memphis|TN': [35.1495, -90.049], 'Portland|OR': [45.5152, -122.6784],
  'Portland|ME': [43.6591, -70.2568], 'Las Vegas|NV': [36.1699, -115.1398], 'Detroit|MI': [42.3314, -83.0458],
  'Louisville|KY': [38.2527, -85.7585], 'Baltimore|MD': [39.2904, -76.6122], 'Milwaukee|WI': [43.0389, -87.9065],
  'Albuquerque|NM': [35.0844, -106.6504], 'Kansas City|MO': [39.0997, -94.5786], 'Springfield|MO': [37.209, -93.2923],
  'St. Louis|MO': [38.627, -90.1994], 'Atlanta|GA': [33.749, -84.388], 'Minneapolis|MN': [44.9778, -93.265],
  'Omaha|NE': [41.2565, -95.9345], 'New Orleans|LA': [29.9511, -90.0715], 'Salt Lake City|UT': [40.7608, -111.891],
  'Oklahoma City|OK': [35.4676, -97.5164], 'Boise|ID': [43.615, -116.2023], 'Anchorage|AK': [61.2181, -149.9003],
  'Honolulu|HI': [21.3069, -157.8583], 'Burlington|VT': [44.4759, -73.2121], 'Providence|RI': [41.824, -71.4128],
  'Hartford|CT': [41.7658, -72.6734],
};
