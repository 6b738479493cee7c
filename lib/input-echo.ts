/**
 * What an error message may quote of the input it refuses: a short prefix, so that an 8,000-
 * character id or cursor cannot turn a 400 into an echo of itself (and a log line into a page).
 */

/** Most characters of the input an error message quotes; longer input is cut and ends in `…`. */
export const MAX_ECHO_CHARS = 40;

/**
 * The first `max` characters of `value` (default {@link MAX_ECHO_CHARS}), followed by `…` when
 * it was longer. Counts code points, so a cut never splits a surrogate pair.
 */
export function echoInput(value: string, max = MAX_ECHO_CHARS): string {
  if (value.length <= max) return value;
  let kept = '';
  let count = 0;
  for (const char of value) {
    if (count === max) return `${kept}…`;
    kept += char;
    count++;
  }
  return kept;
}
