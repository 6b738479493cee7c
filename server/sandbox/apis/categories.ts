/**
 * How each place API names the sandbox's business categories: OpenStreetMap tags, Yelp category
 * aliases, Google place types, Foursquare category names, TomTom/Mapbox category words.
 */

/** One category as the APIs write it. */
export interface ApiCategory {
  /** OSM main tag: `[key, value]` (`shop=bakery`). */
  readonly osm: readonly [string, string];
  /** Yelp category alias and title. */
  readonly yelp: readonly [string, string];
  /** Google Places (New) primary type. */
  readonly google: string;
  /** Human label (Foursquare, HERE, TomTom, Mapbox). */
  readonly label: string;
  /** Mapbox maki icon. */
  readonly maki: string;
}

const c = (osm: [string, string], yelp: [string, string], google: string, label: string, maki: string): ApiCategory => ({ osm, yelp, google, label, maki });

/** By the dataset's category id. */
export const API_CATEGORIES: Readonly<Record<string, ApiCategory>> = {
  bakery: c(['shop', 'bakery'], ['bakeries', 'Bakeries'], 'bakery', 'Bakery', 'bakery'),
  cafe: c(['amenity', 'cafe'], ['coffee', 'Coffee & Tea'], 'cafe', 'Coffee Shop', 'cafe'),
  pizza: c(['amenity', 'restaurant'], ['pizza', 'Pizza'], 'pizza_restaurant', 'Pizzeria', 'restaurant-pizza'),
  restaurant: c(['amenity', 'restaurant'], ['restaurants', 'Restaurants'], 'restaurant', 'Restaurant', 'restaurant'),
  bar: c(['amenity', 'pub'], ['bars', 'Bars'], 'bar', 'Bar', 'bar'),
  plumbing: c(['craft', 'plumber'], ['plumbing', 'Plumbing'], 'plumber', 'Plumber', 'hardware'),
  electrical: c(['craft', 'electrician'], ['electricians', 'Electricians'], 'electrician', 'Electrician', 'hardware'),
  hvac: c(['craft', 'hvac'], ['hvac', 'Heating & Air Conditioning/HVAC'], 'general_contractor', 'HVAC Contractor', 'hardware'),
  roofing: c(['craft', 'roofer'], ['roofing', 'Roofing'], 'roofing_contractor', 'Roofer', 'hardware'),
  landscaping: c(['craft', 'gardener'], ['landscaping', 'Landscaping'], 'landscaping_service', 'Landscaper', 'garden'),
  auto: c(['shop', 'car_repair'], ['autorepair', 'Auto Repair'], 'car_repair', 'Auto Repair Shop', 'car-repair'),
  locksmith: c(['shop', 'locksmith'], ['locksmiths', 'Keys & Locksmiths'], 'locksmith', 'Locksmith', 'hardware'),
  moving: c(['office', 'moving_company'], ['movers', 'Movers'], 'moving_company', 'Moving Company', 'warehouse'),
  cleaning: c(['shop', 'dry_cleaning'], ['homecleaning', 'Home Cleaning'], 'house_cleaning_service', 'Cleaning Service', 'laundry'),
  dental: c(['amenity', 'dentist'], ['dentists', 'Dentists'], 'dentist', 'Dentist', 'dentist'),
  medical: c(['amenity', 'doctors'], ['physicians', 'Doctors'], 'doctor', 'Medical Center', 'doctor'),
  veterinary: c(['amenity', 'veterinary'], ['vet', 'Veterinarians'], 'veterinary_care', 'Veterinarian', 'veterinary'),
  law: c(['office', 'lawyer'], ['lawyers', 'Lawyers'], 'lawyer', 'Law Office', 'town-hall'),
  accounting: c(['office', 'accountant'], ['accountants', 'Accountants'], 'accounting', 'Accountant', 'bank'),
  insurance: c(['office', 'insurance'], ['insurance', 'Insurance'], 'insurance_agency', 'Insurance Agency', 'bank'),
  realestate: c(['office', 'estate_agent'], ['realestateagents', 'Real Estate Agents'], 'real_estate_agency', 'Real Estate Agency', 'town-hall'),
  salon: c(['shop', 'hairdresser'], ['hair', 'Hair Salons'], 'hair_salon', 'Hair Salon', 'hairdresser'),
  fitness: c(['leisure', 'fitness_centre'], ['gyms', 'Gyms'], 'gym', 'Gym', 'fitness-centre'),
  florist: c(['shop', 'florist'], ['florists', 'Florists'], 'florist', 'Florist', 'florist'),
  pets: c(['shop', 'pet_grooming'], ['groomer', 'Pet Groomers'], 'pet_store', 'Pet Service', 'veterinary'),
  hardware: c(['shop', 'hardware'], ['hardware', 'Hardware Stores'], 'hardware_store', 'Hardware Store', 'hardware'),
  books: c(['shop', 'books'], ['bookstores', 'Bookstores'], 'book_store', 'Bookstore', 'library'),
  photography: c(['craft', 'photographer'], ['photographers', 'Photographers'], 'photographer', 'Photographer', 'attraction'),
};

/** The category of a dataset category id (a generic one for an unknown id). */
export function apiCategory(id: string): ApiCategory {
  return API_CATEGORIES[id] ?? c(['office', 'company'], ['localservices', 'Local Services'], 'point_of_interest', 'Business', 'marker');
}
