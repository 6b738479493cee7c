/**
 * A number given to a script as a flag or an environment variable, checked at once: the message
 * names the option, what was expected and what came.
 */

/**
 * `value` as a number from `min` to `max` (an integer unless `integer` is false), `fallback` when
 * it is missing or empty; throws a TypeError naming `name` otherwise.
 *
 * Example: `numberOption('--rate', '0.5', 20, 0.1, 10_000, false)` is 0.5; with `'abc'` it throws
 * "Expected `--rate` to be a number from 0.1 to 10000, got "abc"".
 */
export function numberOption(name: string, value: string | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new TypeError(`Expected \`${name}\` to be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
