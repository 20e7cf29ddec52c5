import { pinyin } from 'pinyin-pro';

/** How a Chinese term can be typed on a Latin keyboard. */
export interface PinyinReadings {
  /** Syllables without tones or spaces: 网关 → `wangguan`; ü as `v` (绿 → `lv`), as IMEs type it. */
  full: string;
  /** First letters of the syllables: 网关 → `wg`. */
  initials: string;
}

const HAN_ONLY = /^\p{sc=Han}+$/u;
const SYLLABLE = /^[a-z]+$/;

/**
 * Pinyin readings of a (normalised, simplified) Chinese term, read as a word so polyphonic
 * characters take their reading in context (重庆 → chongqing, 银行 → yinhang). Null for anything
 * that is not all Han characters, or that pinyin-pro has no reading for.
 */
export function pinyinReadings(term: string): PinyinReadings | null {
  if (!HAN_ONLY.test(term)) return null;
  const syllables = pinyin(term, { toneType: 'none', type: 'array', v: true });
  if (syllables.length === 0 || !syllables.every((s) => SYLLABLE.test(s))) return null;
  return { full: syllables.join(''), initials: syllables.map((s) => s[0]!).join('') };
}

/** What a typed prefix looks like as pinyin: letters only, spaces and apostrophes (xi'an) dropped. */
export function pinyinPrefix(normalizedPrefix: string): string | null {
  const compact = normalizedPrefix.replace(/[\s'’]/g, '').replace(/ü/g, 'v');
  return SYLLABLE.test(compact) ? compact : null;
}
