/**
 * The matcher on real listings we did not write: Fodor's and Zagat's restaurant guides
 * (`server/sites/eval/fodors-zagat/`, 533 × 331 listings, 112 known pairs). Each Fodor's entry is
 * a query as an owner would type it, each Zagat entry a listing a directory shows:
 *
 *   fodors: arts delicatessen | 12224 ventura blvd. | studio city | 818/762-1221
 *        query {name, location, phone} ──matchListing──▶ every zagat listing
 *   zagats: art's deli        | 12224 ventura blvd. | studio city | 818-762-1221
 *
 * Scored in three query shapes (street + city + phone, city + phone, street + city without a
 * phone), pairwise over all 176,423 pairs (positive = `found` or `partial`; a pair not in the
 * guides' match list counts as a false positive) and by bestMatch over all Zagat listings (the
 * known pair picked, per Fodor's entry that has one).
 *
 *   npm run eval:real            prints the figures and writes bench/results/eval-real.json
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import type { BusinessQuery, Listing } from '../lib/types';
import { bestMatch, matchListing } from '../server/sites/match';
import { SHAPES, type Shape } from './eval-held-out';
import { ROOT } from './support/child-process';

interface GuideEntry {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
  readonly city: string;
  readonly phone: string;
}

const DATA = path.join(ROOT, 'server/sites/eval/fodors-zagat');

function readCsv<Row>(file: string): Row[] {
  const parsed = Papa.parse<Row>(readFileSync(path.join(DATA, file), 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors[0]!.message} (row ${parsed.errors[0]!.row})`);
  return parsed.data;
}

function queryOf(entry: GuideEntry, shape: Shape): BusinessQuery {
  return {
    name: entry.name,
    location: shape === 'city+phone' ? entry.city : `${entry.addr}, ${entry.city}`,
    ...(shape === 'street' ? {} : { phone: entry.phone }),
  };
}

const listingOf = (entry: GuideEntry): Listing => ({ name: entry.name, address: `${entry.addr}, ${entry.city}`, phone: entry.phone });

interface ShapeFigures {
  readonly shape: Shape;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Fodor's entries with a known pair whose bestMatch is that pair. */
  readonly rightListingPicked: number;
  readonly queriesWithPair: number;
  readonly missedPairs: readonly string[];
  readonly falsePairs: readonly string[];
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
const show = (entry: GuideEntry) => `${entry.name} | ${entry.addr} | ${entry.city} | ${entry.phone}`;

function scoreShape(shape: Shape, fodors: readonly GuideEntry[], zagats: readonly GuideEntry[], pairs: ReadonlyMap<string, string>): ShapeFigures {
  const listings = zagats.map(listingOf);
  const zagatById = new Map(zagats.map((entry) => [entry.id, entry]));
  let truePositives = 0;
  let falsePositives = 0;
  let rightListingPicked = 0;
  const missedPairs: string[] = [];
  const falsePairs: string[] = [];
  for (const entry of fodors) {
    const query = queryOf(entry, shape);
    const pairId = pairs.get(entry.id);
    zagats.forEach((zagat, index) => {
      const positive = matchListing(query, listings[index]!).outcome !== 'not_found';
      const same = zagat.id === pairId;
      if (positive && same) truePositives += 1;
      else if (positive) {
        falsePositives += 1;
        falsePairs.push(`${show(entry)}  ≠  ${show(zagat)}`);
      } else if (same) missedPairs.push(`${show(entry)}  =  ${show(zagat)}`);
    });
    if (pairId !== undefined && bestMatch(query, listings).listing === listings[zagats.indexOf(zagatById.get(pairId)!)]) rightListingPicked += 1;
  }
  const falseNegatives = pairs.size - truePositives;
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / pairs.size;
  return {
    shape,
    truePositives,
    falsePositives,
    falseNegatives,
    precision: round(precision),
    recall: round(recall),
    f1: round((2 * precision * recall) / Math.max(Number.EPSILON, precision + recall)),
    rightListingPicked,
    queriesWithPair: pairs.size,
    missedPairs,
    falsePairs,
  };
}

function main(): void {
  const fodors = readCsv<GuideEntry>('fodors.csv');
  const zagats = readCsv<GuideEntry>('zagats.csv');
  const pairs = new Map(readCsv<{ fodors_id: string; zagats_id: string }>('matches_fodors_zagats.csv').map((row) => [row.fodors_id, row.zagats_id]));
  console.log(`Fodor's ${fodors.length} × Zagat ${zagats.length} listings, ${pairs.size} known pairs`);
  const figures = SHAPES.map((shape) => {
    const t0 = performance.now();
    const result = scoreShape(shape, fodors, zagats, pairs);
    const us = ((performance.now() - t0) * 1000) / (fodors.length * zagats.length);
    console.log(
      `${shape.padEnd(13)} precision ${result.precision.toFixed(4)}  recall ${result.recall.toFixed(4)}  F1 ${result.f1.toFixed(4)}` +
        `  (TP ${result.truePositives}, FP ${result.falsePositives}, FN ${result.falseNegatives})` +
        `  right listing picked ${result.rightListingPicked}/${result.queriesWithPair}  ${us.toFixed(1)} µs/comparison`,
    );
    return result;
  });
  if (process.argv.includes('--misses')) {
    for (const result of figures) {
      console.log(`\n${result.shape}: missed pairs`);
      for (const line of result.missedPairs) console.log(`  ${line}`);
      console.log(`${result.shape}: false pairs`);
      for (const line of result.falsePairs) console.log(`  ${line}`);
    }
  }
  if (process.argv.includes('--no-write')) return;
  const out = path.join(ROOT, 'bench/results/eval-real.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), figures }, null, 2)}\n`);
  console.log(`written to ${path.relative(ROOT, out)}`);
}

main();
