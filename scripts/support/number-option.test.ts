import { describe, expect, it } from 'vitest';
import { numberOption } from './number-option';

describe('numberOption', () => {
  it('falls back when the value is missing or empty', () => {
    expect(numberOption('--rate', undefined, 20, 1, 100)).toBe(20);
    expect(numberOption('--rate', '', 20, 1, 100)).toBe(20);
  });

  it('takes a number within its bounds', () => {
    expect(numberOption('--rate', '100', 20, 1, 100)).toBe(100);
    expect(numberOption('--rate', '0.5', 20, 0.1, 100, false)).toBe(0.5);
  });

  it('refuses a value out of bounds, not a number, or not an integer, naming the option', () => {
    expect(() => numberOption('--rate', '101', 20, 1, 100)).toThrow('Expected `--rate` to be an integer from 1 to 100, got "101"');
    expect(() => numberOption('--rate', 'abc', 20, 0.1, 100, false)).toThrow('Expected `--rate` to be a number from 0.1 to 100, got "abc"');
    expect(() => numberOption('--clients', '5.5', 20, 0, 100)).toThrow(TypeError);
    expect(() => numberOption('--rate', 'Infinity', 20, 0, Number.MAX_VALUE, false)).toThrow(TypeError);
  });
});
