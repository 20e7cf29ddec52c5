import type { Normalizer } from './normalize.js';
import type { Pattern } from './query.js';
import type { Token, Tokenizer } from './tokenize.js';

/** Longest fragment, in UTF-16 code units (a CJK character is one), before the ellipses. */
export const FRAGMENT_LENGTH = 160;
/** Characters of context kept before the first hit of a fragment. */
const LEAD = 24;

/** A hit on the original text: [start, end) in UTF-16 code units, and which patterns it matched. */
interface Hit {
  start: number;
  end: number;
  patterns: Set<number>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text, with runs of white space (new lines included) shown as one space. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!).replace(/\s+/g, ' ');
}

function firstCodePointLength(text: string, at: number): number {
  return (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}

function tokenMatches(token: Token, term: string, prefix: boolean): boolean {
  return prefix ? token.term.startsWith(term) : token.term === term;
}

export interface Highlighter {
  /**
   * The best fragment of `text` (about 160 characters, more where it has the most distinct hits)
   * with every hit wrapped in `<em>…</em>` and everything else HTML-escaped; hits are found on the
   * normalised text and marked on the text as written. Null when the text has no hit.
   */
  highlight(text: string, patterns: readonly Pattern[], maxLength?: number): string | null;
  /**
   * The best fragment among several texts (a post's title and body): the one with the most
   * distinct hits, then the most hits, then the later text. Null when none has a hit.
   */
  highlightBest(texts: readonly string[], patterns: readonly Pattern[], maxLength?: number): string | null;
  /** The hits alone, as [start, end) offsets in `text`, merged and in order. */
  hits(text: string, patterns: readonly Pattern[]): { start: number; end: number }[];
}

export function createHighlighter(normalizer: Normalizer, tokenizer: Tokenizer): Highlighter {
  function findHits(text: string, patterns: readonly Pattern[]): Hit[] {
    const normalized = normalizer.normalizeWithOffsets(text);
    const tokens = tokenizer.tokenize(normalized.text, 'index');
    const bySlot = new Map<number, Token[]>();
    for (const token of tokens) {
      const list = bySlot.get(token.slot);
      if (list === undefined) bySlot.set(token.slot, [token]);
      else list.push(token);
    }
    const raw: Hit[] = [];
    patterns.forEach((pattern, id) => {
      const first = pattern[0];
      if (first === undefined) return;
      for (const token of tokens) {
        if (!tokenMatches(token, first.term, first.prefix)) continue;
        let last = token;
        let slot = token.slot;
        let matched = true;
        for (let k = 1; k < pattern.length; k++) {
          const item = pattern[k]!;
          slot += item.distance;
          const next = bySlot.get(slot)?.find((t) => tokenMatches(t, item.term, item.prefix));
          if (next === undefined) {
            matched = false;
            break;
          }
          last = next;
        }
        if (!matched) continue;
        const lastItem = pattern[pattern.length - 1]!;
        const endInNormalized = lastItem.prefix ? last.start + firstCodePointLength(normalized.text, last.start) : last.end;
        const start = normalized.starts[token.start];
        const end = normalized.ends[endInNormalized - 1];
        if (start === undefined || end === undefined) continue;
        raw.push({ start, end, patterns: new Set([id]) });
      }
    });
    raw.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Hit[] = [];
    for (const hit of raw) {
      const previous = merged[merged.length - 1];
      if (previous !== undefined && hit.start <= previous.end) {
        previous.end = Math.max(previous.end, hit.end);
        for (const p of hit.patterns) previous.patterns.add(p);
      } else {
        merged.push(hit);
      }
    }
    return merged;
  }

  function chooseWindow(text: string, hits: readonly Hit[], maxLength: number): { start: number; end: number } {
    if (text.length <= maxLength) return { start: 0, end: text.length };
    let best = { start: 0, end: maxLength, distinct: -1, count: -1 };
    for (let i = 0; i < hits.length; i++) {
      const start = Math.max(0, Math.min(hits[i]!.start - LEAD, text.length - maxLength));
      let end = start + maxLength;
      const patterns = new Set<number>();
      let count = 0;
      for (const hit of hits) {
        if (hit.start < start || hit.start >= end) continue;
        // A hit that starts inside the window is shown whole.
        end = Math.max(end, hit.end);
        count += 1;
        for (const p of hit.patterns) patterns.add(p);
      }
      if (patterns.size > best.distinct || (patterns.size === best.distinct && count > best.count)) {
        best = { start, end, distinct: patterns.size, count };
      }
    }
    let { start, end } = best;
    // Start after a space or punctuation close by rather than inside a word.
    if (start > 0) {
      const firstHit = hits.find((h) => h.start >= start)?.start ?? start;
      const head = text.slice(start, Math.min(firstHit, start + 12));
      const boundary = head.search(/[\s\p{P}][^\s\p{P}]/u);
      if (boundary !== -1) start += boundary + 1;
    }
    // Never split a surrogate pair.
    if (start > 0 && /[\udc00-\udfff]/.test(text[start] ?? '')) start -= 1;
    if (end < text.length && /[\udc00-\udfff]/.test(text[end] ?? '')) end += 1;
    return { start, end: Math.min(end, text.length) };
  }

  function render(text: string, hits: readonly Hit[], maxLength: number): string {
    const window = chooseWindow(text, hits, maxLength);
    let out = '';
    let cursor = window.start;
    for (const hit of hits) {
      if (hit.start < window.start || hit.start >= window.end) continue;
      out += escapeHtml(text.slice(cursor, hit.start));
      out += `<em>${escapeHtml(text.slice(hit.start, hit.end))}</em>`;
      cursor = hit.end;
    }
    out += escapeHtml(text.slice(cursor, window.end));
    out = out.trim();
    if (window.start > 0) out = `…${out}`;
    if (window.end < text.length) out = `${out}…`;
    return out;
  }

  function highlight(text: string, patterns: readonly Pattern[], maxLength = FRAGMENT_LENGTH): string | null {
    const hits = findHits(text, patterns);
    return hits.length === 0 ? null : render(text, hits, maxLength);
  }

  function highlightBest(texts: readonly string[], patterns: readonly Pattern[], maxLength = FRAGMENT_LENGTH): string | null {
    let best: { text: string; hits: Hit[]; distinct: number } | null = null;
    for (const text of texts) {
      const hits = findHits(text, patterns);
      if (hits.length === 0) continue;
      const distinct = new Set(hits.flatMap((h) => [...h.patterns])).size;
      // Most distinct hits; on a tie, more hits; on a tie again, the later text (a body over its title).
      if (best === null || distinct > best.distinct || (distinct === best.distinct && hits.length >= best.hits.length)) {
        best = { text, hits, distinct };
      }
    }
    return best === null ? null : render(best.text, best.hits, maxLength);
  }

  return {
    highlight,
    highlightBest,
    hits: (text, patterns) => findHits(text, patterns).map(({ start, end }) => ({ start, end })),
  };
}
