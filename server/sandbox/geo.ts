/**
 * Where things are, for the place APIs: a business sits near its city's centre (a fixed offset
 * drawn from the seed), and a point (`ll`, `at`, `proximity`, a bounding box) stands for the
 * nearest known city.
 */
import type { SandboxBusiness } from './dataset';
import { unitHash } from './rng';
import { CITY_POSITIONS, US_CITIES, type UsCity } from './us-places';

/** A point in degrees. */
export interface Position {
  readonly lat: number;
  readonly lon: number;
}

/** How far from its city's centre a business may sit, in degrees (~4 km). */
const SPREAD_DEGREES = 0.035;

/** The centre of a known city, or undefined. */
export function cityPosition(city: string, state: string): Position | undefined {
  const position = CITY_POSITIONS[`${city}|${state}`];
  return position ? { lat: position[0], lon: position[1] } : undefined;
}

/** Where a business is: its city's centre plus an offset fixed by (seed, business). 6 decimals. */
export function businessPosition(seed: number, business: Pick<SandboxBusiness, 'id' | 'city' | 'state'>): Position {
  const centre = cityPosition(business.city, business.state) ?? { lat: 39.8283, lon: -98.5795 };
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return {
    lat: round(centre.lat + (unitHash(seed, 'lat', business.id) * 2 - 1) * SPREAD_DEGREES),
    lon: round(centre.lon + (unitHash(seed, 'lon', business.id) * 2 - 1) * SPREAD_DEGREES),
  };
}

/** Great-circle distance in km (haversine). */
export function distanceKm(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The known city closest to `position`, if one lies within `maxKm`. */
export function nearestCity(position: Position, maxKm: number): UsCity | undefined {
  let best: UsCity | undefined;
  let bestKm = maxKm;
  for (const city of US_CITIES) {
    const centre = cityPosition(city.city, city.state);
    if (!centre) continue;
    const km = distanceKm(position, centre);
    if (km <= bestKm) {
      best = city;
      bestKm = km;
    }
  }
  return best;
}

/** `"30.2672,-97.7431"` → a position; undefined when it is not two finite numbers in range. */
export function parseLatLon(text: string | null | undefined, order: 'lat,lon' | 'lon,lat' = 'lat,lon'): Position | undefined {
  const texts = (text ?? '').split(',').map((part) => part.trim());
  if (texts.length !== 2 || texts.some((part) => !/^-?\d+(?:\.\d+)?$/.test(part))) return undefined;
  const parts = texts.map(Number);
  const [lat, lon] = order === 'lat,lon' ? parts : [parts[1]!, parts[0]!];
  return Math.abs(lat!) <= 90 && Math.abs(lon!) <= 180 ? { lat: lat!, lon: lon! } : undefined;
}
