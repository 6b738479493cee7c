import { describe, expect, it } from 'vitest';
import { echoInput, MAX_ECHO_CHARS } from './input-echo';

describe('echoInput', () => {
  it('keeps input of at most 40 characters as it is', () => {
    expect(MAX_ECHO_CHARS).toBe(40);
    expect(echoInput('')).toBe('');
    expect(echoInput('x'.repeat(40))).toBe('x'.repeat(40));
  });

  it('cuts longer input to its first 40 characters and an ellipsis', () => {
    expect(echoInput('x'.repeat(41))).toBe(`${'x'.repeat(40)}…`);
    expect(echoInput('a'.repeat(8000))).toHaveLength(41);
  });

  it('counts code points, so a cut never splits an emoji', () => {
    const cut = echoInput('🍰'.repeat(50));
    expect(cut).toBe(`${'🍰'.repeat(40)}…`);
    expect(echoInput('🍰'.repeat(40))).toBe('🍰'.repeat(40));
  });

  it('takes another limit', () => {
    expect(echoInput('abcdef', 3)).toBe('abc…');
  });
});
