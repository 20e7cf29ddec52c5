import { describe, expect, it } from 'vitest';
import { HOST_PSEUDONYM, PSEUDONYM_ADJECTIVES, PSEUDONYM_NAMES, pseudonymName } from '../src/domain/pseudonyms.js';

describe('pseudonymName', () => {
  it('gives ordinal 0 to the host, then the plain names in order', () => {
    expect(pseudonymName(0)).toBe(HOST_PSEUDONYM);
    expect(HOST_PSEUDONYM).toBe('洞主');
    expect([1, 2, 3, 24].map(pseudonymName)).toEqual(['Alice', 'Bob', 'Carol', 'Zoe']);
  });

  it('continues with adjective-name pairs, then numbered pairs, when the plain names run out', () => {
    expect(pseudonymName(25)).toBe('Angry Alice');
    expect(pseudonymName(26)).toBe('Angry Bob');
    expect(pseudonymName(49)).toBe('Brave Alice');
    const pairs = PSEUDONYM_NAMES.length * PSEUDONYM_ADJECTIVES.length;
    expect(pseudonymName(24 + pairs)).toBe('Zany Zoe');
    expect(pseudonymName(25 + pairs)).toBe('Angry Alice 2');
    expect(pseudonymName(24 + 2 * pairs)).toBe('Zany Zoe 2');
    expect(pseudonymName(25 + 2 * pairs)).toBe('Angry Alice 3');
  });

  it('never gives two ordinals the same name and never runs out', () => {
    const names = new Set<string>();
    for (let ordinal = 0; ordinal < 50_000; ordinal++) names.add(pseudonymName(ordinal));
    expect(names.size).toBe(50_000);
    expect(pseudonymName(10_000_000)).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+ \d+$/);
  });

  it('refuses negative or fractional ordinals', () => {
    expect(() => pseudonymName(-1)).toThrow(RangeError);
    expect(() => pseudonymName(1.5)).toThrow(RangeError);
  });
});
