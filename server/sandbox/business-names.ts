/**
 * Business names that read like real ones: "Blue Door Bakery", "Smith & Sons Plumbing LLC",
 * "Lone Star Dental Care", "Law Offices of Rosa Martinez". Each category knows its trade words
 * and which naming patterns its businesses use.
 */
import type { Rng } from './rng';
import { GENERIC_PLACE_WORDS, STATE_NICKNAMES, type UsCity } from './us-places';

/** How businesses of a kind name themselves. */
type NamingStyle = 'food' | 'bar' | 'trade' | 'law' | 'finance' | 'health' | 'shop';

/** A line of business. */
export interface BusinessCategory {
  readonly id: string;
  readonly style: NamingStyle;
  /** Trade words that end a name ("Bakery", "Plumbing & Drain"). */
  readonly words: readonly string[];
  /** Share of businesses with a legal suffix (LLC, Inc …). */
  readonly legalRate: number;
  /** Share of businesses with a website. */
  readonly websiteRate: number;
}

/** The categories, each with the same chance of being drawn. */
export const CATEGORIES: readonly BusinessCategory[] = [
  { id: 'bakery', style: 'food', words: ['Bakery', 'Bake Shop', 'Bakehouse', 'Pastry Shop', 'Donuts', 'Cupcakes'], legalRate: 0.15, websiteRate: 0.8 },
  { id: 'cafe', style: 'food', words: ['Coffee', 'Cafe', 'Coffee Co.', 'Espresso Bar', 'Coffee Roasters', 'Coffee House'], legalRate: 0.1, websiteRate: 0.85 },
  { id: 'pizza', style: 'food', words: ['Pizzeria', 'Pizza', 'Pizza Kitchen', 'Pizza & Pasta', 'Brick Oven Pizza'], legalRate: 0.1, websiteRate: 0.85 },
  { id: 'restaurant', style: 'food', words: ['Diner', 'Grill', 'Kitchen', 'Bistro', 'Eatery', 'BBQ', 'Taqueria', 'Smokehouse', 'Noodle House', 'Sushi Bar', 'Steakhouse', 'Cantina'], legalRate: 0.1, websiteRate: 0.8 },
  { id: 'bar', style: 'bar', words: ['Tavern', 'Pub', 'Taproom', 'Saloon', 'Brewing Co.', 'Bar & Grill', 'Wine Bar'], legalRate: 0.1, websiteRate: 0.75 },
  { id: 'plumbing', style: 'trade', words: ['Plumbing', 'Plumbing & Drain', 'Plumbing & Heating', 'Rooter', 'Plumbing Services'], legalRate: 0.45, websiteRate: 0.85 },
  { id: 'electrical', style: 'trade', words: ['Electric', 'Electrical Services', 'Electric Co.', 'Electrical Contractors'], legalRate: 0.45, websiteRate: 0.85 },
  { id: 'hvac', style: 'trade', words: ['Heating & Air', 'HVAC', 'Air Conditioning', 'Heating & Cooling', 'Comfort Systems'], legalRate: 0.45, websiteRate: 0.9 },
  { id: 'roofing', style: 'trade', words: ['Roofing', 'Roofing & Gutters', 'Roofing Co.', 'Exteriors'], legalRate: 0.5, websiteRate: 0.85 },
  { id: 'landscaping', style: 'trade', words: ['Landscaping', 'Lawn Care', 'Landscape Design', 'Tree Service', 'Lawn & Garden'], legalRate: 0.35, websiteRate: 0.75 },
  { id: 'auto', style: 'trade', words: ['Auto Repair', 'Automotive', 'Auto Body', 'Tire & Auto', 'Collision Center', 'Transmission'], legalRate: 0.35, websiteRate: 0.75 },
  { id: 'locksmith', style: 'trade', words: ['Locksmith', 'Lock & Key', 'Locksmith Services'], legalRate: 0.3, websiteRate: 0.8 },
  { id: 'moving', style: 'trade', words: ['Moving', 'Movers', 'Moving & Storage', 'Relocation'], legalRate: 0.45, websiteRate: 0.9 },
  { id: 'cleaning', style: 'trade', words: ['Cleaning Services', 'Maid Service', 'Carpet Cleaning', 'Janitorial'], legalRate: 0.35, websiteRate: 0.8 },
  { id: 'dental', style: 'health', words: ['Dental', 'Dental Care', 'Family Dentistry', 'Smiles', 'Orthodontics', 'Dental Group'], legalRate: 0.3, websiteRate: 0.95 },
  { id: 'medical', style: 'health', words: ['Chiropractic', 'Physical Therapy', 'Family Medicine', 'Urgent Care', 'Pediatrics', 'Eye Care', 'Dermatology'], legalRate: 0.3, websiteRate: 0.95 },
  { id: 'veterinary', style: 'health', words: ['Animal Hospital', 'Veterinary Clinic', 'Pet Hospital', 'Vet Care'], legalRate: 0.2, websiteRate: 0.9 },
  { id: 'law', style: 'law', words: ['Law Group', 'Law Firm', 'Law Offices', 'Legal', 'Injury Lawyers'], legalRate: 0.5, websiteRate: 0.95 },
  { id: 'accounting', style: 'finance', words: ['Accounting', 'CPA', 'Tax Services', 'Bookkeeping', 'Financial Group'], legalRate: 0.4, websiteRate: 0.85 },
  { id: 'insurance', style: 'finance', words: ['Insurance Agency', 'Insurance', 'Insurance Group'], legalRate: 0.4, websiteRate: 0.85 },
  { id: 'realestate', style: 'finance', words: ['Realty', 'Real Estate', 'Properties', 'Homes', 'Realty Group'], legalRate: 0.4, websiteRate: 0.9 },
  { id: 'salon', style: 'shop', words: ['Hair Salon', 'Salon', 'Barber Shop', 'Barbershop', 'Nail Spa', 'Salon & Spa'], legalRate: 0.1, websiteRate: 0.65 },
  { id: 'fitness', style: 'shop', words: ['Fitness', 'Gym', 'CrossFit', 'Yoga', 'Pilates Studio', 'Martial Arts'], legalRate: 0.2, websiteRate: 0.85 },
  { id: 'florist', style: 'shop', words: ['Florist', 'Flowers', 'Floral Design', 'Flower Shop'], legalRate: 0.1, websiteRate: 0.8 },
  { id: 'pets', style: 'shop', words: ['Pet Grooming', 'Dog Grooming', 'Pet Supply', 'Doggy Daycare'], legalRate: 0.15, websiteRate: 0.7 },
  { id: 'hardware', style: 'shop', words: ['Hardware', 'Hardware & Supply', 'Home Center', 'Paint & Hardware'], legalRate: 0.3, websiteRate: 0.7 },
  { id: 'books', style: 'shop', words: ['Books', 'Bookstore', 'Book Shop', 'Comics & Games'], legalRate: 0.1, websiteRate: 0.75 },
  { id: 'photography', style: 'shop', words: ['Photography', 'Photo Studio', 'Portraits'], legalRate: 0.15, websiteRate: 0.95 },
];

const SURNAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
  'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore',
  'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark',
  'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres',
  'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  'Mitchell', 'Carter', 'Roberts', 'Kim', 'Patel', "O'Brien", 'Murphy', 'Sullivan', 'Kowalski',
  'Schmidt', 'Rossi', 'Cohen', 'Chen', 'Okafor', 'Lindqvist', 'Dubois', 'Haddad', 'Yamamoto',
  'McAllister', 'Novak', 'Fitzgerald', 'Delgado', 'Brennan',
];

const FIRST_NAMES: readonly string[] = [
  'Tony', 'Maria', 'Sam', 'Rosa', 'Joe', 'Mike', 'Linda', 'Carlos', 'Ana', 'Tom', 'Sal', 'Vinnie',
  'Lucy', 'Frank', 'Eddie', 'Grace', 'Hank', 'Nina', 'Ray', 'Ruby', 'Gus', 'Dot', 'Mel', 'Lou',
  'Bea', 'Max', 'Sophie', 'Leo', 'Ivy', 'Kenji', 'Priya', 'Omar', 'Elena', 'Jake', 'Molly', 'Pete',
  'Marco', 'Lily', 'Ben', 'Rita', 'Dante', 'Hector', 'June', 'Wes',
];

const ADJECTIVES: readonly string[] = [
  'Blue', 'Red', 'Golden', 'Silver', 'Green', 'Copper', 'Rusty', 'Happy', 'Little', 'Old', 'Iron',
  'Crystal', 'Sunny', 'Twin', 'Lucky', 'Wild', 'Urban', 'Village', 'Bright', 'Royal', 'Humble',
  'Quiet', 'Honest', 'Modern', 'Classic', 'Cedar', 'Maple', 'Stone', 'Black', 'White',
];

const NOUNS: readonly string[] = [
  'Door', 'Anchor', 'Fox', 'Owl', 'Bear', 'Oak', 'Lantern', 'Kettle', 'Spoon', 'Barrel', 'Bridge',
  'Harbor', 'Meadow', 'River', 'Ridge', 'Leaf', 'Sparrow', 'Compass', 'Horseshoe', 'Mill',
  'Rooster', 'Bee', 'Pelican', 'Arrow', 'Crown', 'Fern', 'Juniper', 'Willow', 'Pepper', 'Whistle',
];

const LEGAL_SUFFIXES: Readonly<Record<NamingStyle, readonly string[]>> = {
  food: ['LLC', 'LLC', 'Inc'],
  bar: ['LLC', 'LLC', 'Inc'],
  trade: ['LLC', 'LLC', 'LLC', 'Inc', 'Inc.', ', Inc.', 'Co.', 'Corp.'],
  law: ['PLLC', 'LLP', 'PC', 'P.A.'],
  finance: ['LLC', 'LLC', 'Inc', ', Inc.', 'LLP'],
  health: ['PC', 'PLLC', 'LLC', 'PA'],
  shop: ['LLC', 'LLC', 'Inc', 'Co.'],
};

/** Legal suffixes that a listing may drop, longest first so ", Inc." wins over "Inc.". */
export const LEGAL_SUFFIX_PATTERN = /,?\s+(?:PLLC|LLC|LLP|P\.A\.|PA|PC|Inc\.?|Co\.|Corp\.)$/;

type Pattern = (rng: Rng, word: string, city: UsCity) => string;

const placeWord = (rng: Rng, city: UsCity): string => {
  const local = [...(city.nicknames ?? []), ...(STATE_NICKNAMES[city.state] ?? [])];
  return local.length > 0 && rng.chance(0.6) ? rng.pick(local) : rng.pick(GENERIC_PLACE_WORDS);
};

const patterns = {
  adjectiveNoun: (rng, word) => `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)} ${word}`,
  possessive: (rng, word) => `${rng.pick(FIRST_NAMES)}'s ${word}`,
  surname: (rng, word) => `${rng.pick(SURNAMES)} ${word}`,
  sons: (rng, word) => `${rng.pick(SURNAMES)} & Sons ${word}`,
  brothers: (rng, word) => `${rng.pick(SURNAMES)} ${rng.chance(0.5) ? 'Brothers' : 'Bros.'} ${word}`,
  place: (rng, word, city) => `${placeWord(rng, city)} ${word}`,
  city: (_rng, word, city) => `${city.city} ${word}`,
  theAdjectiveNoun: (rng) => `The ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`,
  partners: (rng, word) => {
    const [a, b] = twoSurnames(rng);
    return `${a} ${rng.chance(0.75) ? '&' : 'and'} ${b} ${word}`;
  },
  associates: (rng) => `${rng.pick(SURNAMES)} & Associates`,
  lawOffices: (rng) => `Law Offices of ${rng.pick(FIRST_NAMES)} ${rng.pick(SURNAMES)}`,
  familyPractice: (rng, word) => `${rng.pick(SURNAMES)} Family ${word}`,
} satisfies Record<string, Pattern>;

/** Patterns a naming style uses, each with a weight. */
const STYLE_PATTERNS: Readonly<Record<NamingStyle, readonly (readonly [Pattern, number])[]>> = {
  food: [[patterns.adjectiveNoun, 3], [patterns.possessive, 3], [patterns.surname, 1], [patterns.place, 1], [patterns.city, 1]],
  bar: [[patterns.theAdjectiveNoun, 3], [patterns.adjectiveNoun, 3], [patterns.possessive, 2], [patterns.place, 1], [patterns.surname, 1]],
  trade: [[patterns.surname, 3], [patterns.sons, 2], [patterns.brothers, 1], [patterns.place, 3], [patterns.city, 1], [patterns.adjectiveNoun, 1]],
  law: [[patterns.partners, 4], [patterns.lawOffices, 2], [patterns.surname, 2], [patterns.place, 1]],
  finance: [[patterns.surname, 3], [patterns.associates, 1], [patterns.partners, 2], [patterns.place, 3], [patterns.city, 1]],
  health: [[patterns.place, 4], [patterns.city, 2], [patterns.familyPractice, 2], [patterns.adjectiveNoun, 1], [patterns.surname, 1]],
  shop: [[patterns.adjectiveNoun, 4], [patterns.possessive, 2], [patterns.place, 2], [patterns.city, 1], [patterns.surname, 1]],
};

function twoSurnames(rng: Rng): [string, string] {
  const a = rng.pick(SURNAMES);
  let b = rng.pick(SURNAMES);
  while (b === a) b = rng.pick(SURNAMES);
  return [a, b];
}

function weightedPick<T>(rng: Rng, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = rng.next() * total;
  for (const [value, weight] of entries) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return entries[entries.length - 1]![0];
}

/** A realistic name for a business of `category` in `city`, legal suffix included when drawn. */
export function generateBusinessName(rng: Rng, category: BusinessCategory, city: UsCity): string {
  const pattern = weightedPick(rng, STYLE_PATTERNS[category.style]);
  const base = pattern(rng, rng.pick(category.words), city);
  if (!rng.chance(category.legalRate)) return base;
  const suffix = rng.pick(LEGAL_SUFFIXES[category.style]);
  // "Electric Co." + "Co." would read "Electric Co. Co.".
  if (base.endsWith(suffix.replace(/^,?\s*/, ''))) return base;
  return suffix.startsWith(',') ? `${base}${suffix}` : `${base} ${suffix}`;
}
