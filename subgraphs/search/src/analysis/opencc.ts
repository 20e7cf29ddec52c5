import type { DictGroup, DictLike } from 'opencc-js/core';

function isDictLike(value: unknown): value is DictLike {
  return (
    typeof value === 'string' ||
    (Array.isArray(value) &&
      value.every((pair) => Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string'))
  );
}

/**
 * One locale's dictionary groups from an opencc-js preset (`from.tw`, `to.cn`, …), checked at
 * run time: the preset's own type declarations do not resolve under NodeNext, so their shape is
 * verified here rather than assumed.
 */
export function dictGroups(preset: unknown, locale: string): DictGroup[] {
  if (typeof preset !== 'object' || preset === null) throw new TypeError('opencc-js: no preset');
  const groups: unknown = (preset as Record<string, unknown>)[locale];
  if (!Array.isArray(groups)) throw new TypeError(`opencc-js: no dictionaries for ${locale}`);
  const result: DictGroup[] = [];
  for (const group of groups as unknown[]) {
    if (!Array.isArray(group)) throw new TypeError(`opencc-js: unexpected dictionaries for ${locale}`);
    const dicts: DictLike[] = [];
    for (const dict of group as unknown[]) {
      if (!isDictLike(dict)) throw new TypeError(`opencc-js: unexpected dictionary for ${locale}`);
      dicts.push(dict);
    }
    result.push(dicts);
  }
  return result;
}
