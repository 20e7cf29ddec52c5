/**
 * The tree-hollow pseudonyms of a post's anonymous commenters. Ordinal 0 belongs to the post's
 * author ("洞主", the hollow's host); everyone else gets the next ordinal in order of their first
 * anonymous comment on the post, and each ordinal maps to one name, so distinct ordinals never
 * share a name and the list never runs out.
 */
export const HOST_PSEUDONYM = '洞主';

/** Names 1–24, in this order. */
export const PSEUDONYM_NAMES = [
  'Alice', 'Bob', 'Carol', 'Dave', 'Eve', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj',
  'Olivia', 'Peggy', 'Quentin', 'Rupert', 'Sybil', 'Trent', 'Uma', 'Victor', 'Walter', 'Xavier', 'Yolanda', 'Zoe',
] as const;

/** Prefixes for the names after the plain ones: "Angry Alice", "Angry Bob", …, "Brave Alice", …. */
export const PSEUDONYM_ADJECTIVES = [
  'Angry', 'Brave', 'Calm', 'Daring', 'Eager', 'Fancy', 'Gentle', 'Happy', 'Icy', 'Jolly', 'Kind', 'Lucky',
  'Merry', 'Noble', 'Odd', 'Proud', 'Quiet', 'Rapid', 'Shy', 'Tiny', 'Upbeat', 'Vivid', 'Witty', 'Zany',
] as const;

const PLAIN = PSEUDONYM_NAMES.length;
const COMBINED = PSEUDONYM_ADJECTIVES.length * PLAIN;

/**
 * The name of an ordinal: 0 → 洞主, 1–24 → Alice…Zoe, then 576 "Adjective Name" pairs, then the
 * same pairs numbered from 2 ("Angry Alice 2", …), without end.
 */
export function pseudonymName(ordinal: number): string {
  if (!Number.isInteger(ordinal) || ordinal < 0) throw new RangeError(`bad pseudonym ordinal ${ordinal}`);
  if (ordinal === 0) return HOST_PSEUDONYM;
  if (ordinal <= PLAIN) return PSEUDONYM_NAMES[ordinal - 1]!;
  const n = ordinal - PLAIN - 1;
  const round = Math.floor(n / COMBINED);
  const pair = n % COMBINED;
  const name = `${PSEUDONYM_ADJECTIVES[Math.floor(pair / PLAIN)]!} ${PSEUDONYM_NAMES[pair % PLAIN]!}`;
  return round === 0 ? name : `${name} ${round + 1}`;
}
