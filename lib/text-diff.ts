/**
 * Which part of a listing's value differs from what the user gave: a result page shows a mismatch
 * as expected vs found with the differing words marked, so the reader sees "Suite 200" is missing
 * rather than comparing two addresses letter by letter.
 *
 *   expected  "12 Main St, Suite 200"          found  "12 Main Street"
 *   words     12 · main · st · suite · 200            12 · main · street
 *   common    12 · main                  (longest common subsequence of the words)
 *   marked    12 Main [St, Suite 200]                12 Main [Street]
 *
 * Words are compared case-folded and without accents (`Café` = `cafe`); spaces and punctuation
 * separate words and are marked only between two marked words. This is a reading aid, not the matcher: the verdict comes
 * from the site's match (`server/sites/match.ts`), which knows that `St` is `Street`.
 *
 * Invariants: pure; the segments of a side joined are that side's text exactly; a word is marked
 * exactly when it is not in the common subsequence; a separator only when both its neighbours are.
 */

/** A piece of a text, marked when it differs from the other side. */
export interface DiffSegment {
  readonly text: string;
  readonly differs: boolean;
}

/** Words longer than this many, per side, are not diffed (the whole side is marked): O(n·m) bounds it. */
const MAX_WORDS = 200;

/** The text cut into words and separators, in order. */
function pieces(text: string): { text: string; word: boolean }[] {
  return (text.match(/[\p{L}\p{N}\p{M}]+|[^\p{L}\p{N}\p{M}]+/gu) ?? []).map((piece) => ({ text: piece, word: /[\p{L}\p{N}]/u.test(piece) }));
}

const fold = (word: string) => word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** For each word of `a`, whether it is in a longest common subsequence with `b`'s words. */
function commonFlags(a: readonly string[], b: readonly string[]): [boolean[], boolean[]] {
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const inA = new Array<boolean>(a.length).fill(false);
  const inB = new Array<boolean>(b.length).fill(false);
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      inA[i++] = true;
      inB[j++] = true;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) i++;
    else j++;
  }
  return [inA, inB];
}

function segments(parts: readonly { text: string; word: boolean }[], common: readonly boolean[]): DiffSegment[] {
  let w = 0;
  const flags = parts.map((part) => (part.word ? !common[w++] : undefined));
  const out: DiffSegment[] = [];
  parts.forEach((part, k) => {
    // A separator is marked between two marked words, so `(612) 264-5217` reads as one mark.
    const differs = flags[k] ?? (flags[k - 1] === true && flags[k + 1] === true);
    const last = out.at(-1);
    // Adjacent pieces of the same kind read as one segment.
    if (last && last.differs === differs) out[out.length - 1] = { text: last.text + part.text, differs };
    else out.push({ text: part.text, differs });
  });
  return out;
}

/** The expected and the found text as segments, the words not common to both marked. */
export function diffWords(expected: string, found: string): { expected: DiffSegment[]; found: DiffSegment[] } {
  const a = pieces(expected);
  const b = pieces(found);
  const wordsA = a.filter((piece) => piece.word).map((piece) => fold(piece.text));
  const wordsB = b.filter((piece) => piece.word).map((piece) => fold(piece.text));
  if (wordsA.length > MAX_WORDS || wordsB.length > MAX_WORDS) {
    return { expected: [{ text: expected, differs: true }], found: [{ text: found, differs: true }] };
  }
  const [inA, inB] = commonFlags(wordsA, wordsB);
  return { expected: segments(a, inA), found: segments(b, inB) };
}
