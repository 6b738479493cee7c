/**
 * Seeded pseudo-random numbers: the sandbox's only source of randomness, so one seed replays a
 * whole run (dataset, listings, latencies). Never use `Math.random` in the sandbox.
 *
 * Written by hand rather than taken from a library because it is twenty lines of published,
 * well-tested algorithms (cyrb128 to hash the seed parts, sfc32 from PractRand as the generator)
 * and no seeded-PRNG package is among the project's dependencies.
 */

/** A part of a seed: the run's seed, a site id, a business id, a counter … */
export type SeedPart = string | number;

/** A deterministic stream of random numbers. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** `true` with probability `p` (clamped to [0, 1]). */
  chance(p: number): boolean;
  /** A standard normal deviate (mean 0, standard deviation 1). */
  normal(): number;
}

/** Hashes seed parts to 128 bits (cyrb128). Parts are joined with a separator no id contains. */
export function hashParts(parts: readonly SeedPart[]): [number, number, number, number] {
  const text = parts.join('\u001f');
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A uniform float in [0, 1) fixed by the parts: a cheap one-shot draw (e.g. "does site S list business B?"). */
export function unitHash(...parts: SeedPart[]): number {
  return hashParts(parts)[0] / 4294967296;
}

/**
 * Mixes two 128-bit hashes into a third (murmur3's finaliser per word): a cheap stand-in for
 * `hashParts([...a, ...b])` when one side is reused many times (a site's key × every business).
 */
export function combineHashes(a: readonly number[], b: readonly number[]): [number, number, number, number] {
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) out[i] = fmix32((a[i]! ^ Math.imul(fmix32((b[i]! ^ a[(i + 1) & 3]!) >>> 0), 0x9e3779b1)) >>> 0);
  return out;
}

function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A generator seeded with a 128-bit hash (from hashParts or combineHashes). */
export function createRngFromHash(hash: readonly [number, number, number, number]): Rng {
  return new Sfc32(hash);
}

/** A generator whose whole stream is fixed by the parts: same parts, same numbers. */
export function createRng(...parts: SeedPart[]): Rng {
  return new Sfc32(hashParts(parts));
}

// A class rather than closures: the sandbox makes one per listing and per request, and closures
// made generation GC-bound.
class Sfc32 implements Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spareNormal: number | undefined;

  constructor([a, b, c, d]: readonly [number, number, number, number]) {
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    // sfc32's first outputs still echo the seed; its authors advise discarding a few.
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty array, got an empty one');
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  normal(): number {
    if (this.#spareNormal !== undefined) {
      const value = this.#spareNormal;
      this.#spareNormal = undefined;
      return value;
    }
    // Box–Muller; 1 - next() keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
