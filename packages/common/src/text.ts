/** Length in Unicode code points, so an emoji or a CJK character counts as one. */
export function codePoints(value: string): number {
  return [...value].length;
}

/** An absolute http(s) URL with a host. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
