import { decodeExtra, extraCandidates, type ExtraEncoding } from './decoders.js';
import { decodeUnicode, unicodeCandidates, type UnicodeEncoding } from './unicode-encodings.js';

/** One encoded span found in a text and what it decodes to. */
export interface DecodedSpan {
  readonly encoding: 'base64' | 'base32' | 'hex' | 'url' | ExtraEncoding | UnicodeEncoding;
  /** [start, end) in the text that was scanned. */
  readonly start: number;
  readonly end: number;
  readonly decoded: string;
  /** 1 for a span of the input, 2 for a span inside a decoded span, … */
  readonly depth: number;
  /** Offsets are in the unfolded text `raw` given to {@link rescanText} (base2048, Ecoji). */
  readonly inRaw?: true;
}

/** Bounds of one rescan: the `guard.rescan` settings. */
export interface RescanLimits {
  readonly maxDecodedChars: number;
  readonly maxDepth: number;
  readonly maxSpans: number;
}

// Candidate spans. Each regex is a single character class run (linear); decoding then proves it.
const RE_BASE64 = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const RE_BASE32 = /[A-Z2-7]{16,}={0,6}/g;
const RE_HEX = /(?:\\x|0x|\b)[0-9a-fA-F]{2}(?:[ :,]?(?:\\x|0x)?[0-9a-fA-F]{2}){7,}/g;
const RE_URL = /[^\s%]{0,16}%[0-9a-fA-F]{2}(?:[^\s%]{0,16}%[0-9a-fA-F]{2}){2,}[^\s%]{0,16}/g;

const FATAL = new TextDecoder('utf-8', { fatal: true });

/**
 * Finds base64, base32, hex and percent-encoded spans in `text` whose decoding is readable text,
 * and decodes them again inside (nested encodings) up to `maxDepth`. The total decoded length is
 * capped by `maxDecodedChars` and the spans examined by `maxSpans`, so a nested base64 bomb costs
 * at most that much. Offsets of nested spans are those of their outermost span.
 */
export function findEncodedSpans(text: string, limits: RescanLimits): DecodedSpan[] {
  return rescanText(text, limits).spans;
}

/**
 * {@link findEncodedSpans}, and whether a limit stopped the search before every candidate was
 * examined (then the text may hold encoded content that was not decoded).
 */
export function rescanText(
  text: string,
  limits: RescanLimits,
  raw?: string,
): { spans: DecodedSpan[]; exhausted: boolean } {
  const out: DecodedSpan[] = [];
  const budget = { chars: limits.maxDecodedChars, spans: limits.maxSpans, exhausted: false };
  // base2048 and Ecoji are looked for in `raw` (before folding, which rewrites their characters);
  // decoded texts are never folded, so nested spans of every encoding are looked for in them.
  scan(text, 1, undefined, limits, budget, out, raw === undefined ? 'here' : 'none');
  if (raw !== undefined) scan(raw, 1, undefined, limits, budget, out, 'only');
  return { spans: out, exhausted: budget.exhausted };
}

interface Budget {
  chars: number;
  spans: number;
  exhausted: boolean;
}

function scan(
  text: string,
  depth: number,
  outer: { start: number; end: number } | undefined,
  limits: RescanLimits,
  budget: Budget,
  out: DecodedSpan[],
  unicode: 'here' | 'none' | 'only',
  inRaw = false,
): void {
  if (depth > limits.maxDepth) return;
  const candidates: { encoding: DecodedSpan['encoding']; start: number; end: number }[] = [];
  if (unicode !== 'none') {
    const found = unicodeCandidates(text, budget.spans + 1);
    if (found.length > budget.spans) budget.exhausted = true;
    const kept = found.slice(0, Math.max(0, budget.spans));
    budget.spans -= kept.length;
    candidates.push(...kept);
  }
  const ascii = unicode !== 'only';
  for (const [encoding, re] of [
    ['base64', RE_BASE64],
    ['base32', RE_BASE32],
    ['hex', RE_HEX],
    ['url', RE_URL],
  ] as const) {
    if (!ascii || (encoding === 'url' && !text.includes('%'))) continue; // cheap precheck
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (budget.spans <= 0) {
        budget.exhausted = true;
        break;
      }
      budget.spans--;
      candidates.push({ encoding, start: m.index, end: m.index + m[0].length });
    }
  }
  const extra = ascii ? extraCandidates(text, budget.spans + 1) : [];
  if (extra.length > budget.spans) budget.exhausted = true;
  const kept = extra.slice(0, Math.max(0, budget.spans));
  budget.spans -= kept.length;
  candidates.push(...kept);
  candidates.sort((a, b) => a.start - b.start);
  let coveredTo = -1;
  for (const c of candidates) {
    if (c.start < coveredTo) continue; // a hex run is also a base64 run: first decodable wins
    if (budget.chars <= 0) {
      budget.exhausted = true;
      return;
    }
    const raw = text.slice(c.start, c.end);
    const decoded = decodeSpan(c.encoding, raw, budget.chars);
    if (decoded === undefined || !readable(decoded)) continue;
    const text2 = decoded.length > budget.chars ? decoded.slice(0, budget.chars) : decoded;
    budget.chars -= text2.length;
    coveredTo = c.end;
    const at = outer ?? { start: c.start, end: c.end };
    const raw2 = inRaw || unicode === 'only';
    out.push({
      encoding: c.encoding,
      start: at.start,
      end: at.end,
      decoded: text2,
      depth,
      ...(raw2 ? { inRaw: true as const } : {}),
    });
    scan(text2, depth + 1, at, limits, budget, out, 'here', raw2);
  }
}

function decodeSpan(
  encoding: DecodedSpan['encoding'],
  raw: string,
  max: number,
): string | undefined {
  // Decode no more than the budget allows: each encoding's output is at most its input size.
  const input = raw.length > max * 2 ? raw.slice(0, max * 2) : raw;
  try {
    switch (encoding) {
      case 'base64': {
        const b = Buffer.from(input.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
        return b.length >= 6 ? FATAL.decode(b) : undefined;
      }
      case 'base32':
        return base32(input);
      case 'hex': {
        const hex = input.replace(/\\x|0x|[ :,]/g, '');
        if (hex.length % 2 !== 0) return undefined;
        return FATAL.decode(Buffer.from(hex, 'hex'));
      }
      case 'url':
        return decodeURIComponent(input);
      case 'ascii85':
      case 'base85':
      case 'quoted-printable':
      case 'mime-word':
      case 'uuencode':
      case 'morse':
      case 'nato':
      case 'braille':
        return decodeExtra(encoding, input);
      case 'base2048':
      case 'ecoji': {
        const b = decodeUnicode(encoding, input);
        return b === undefined || b.length < 4 ? undefined : FATAL.decode(b);
      }
    }
  } catch {
    return undefined;
  }
}

function base32(s: string): string | undefined {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const body = s.replace(/=+$/, '');
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of body) {
    const v = A.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return FATAL.decode(Uint8Array.from(bytes));
}

/** Readable: mostly letters, digits, punctuation and spaces, with at least one space or 4 letters. */
function readable(s: string): boolean {
  if (s.length < 4) return false;
  let good = 0;
  let letters = 0;
  let n = 0;
  for (const ch of s) {
    n++;
    if (/^[\p{L}\p{N}\p{P}\p{Zs}\p{S}\n\t]$/u.test(ch)) good++;
    if (/^\p{L}$/u.test(ch)) letters++;
  }
  return good / n >= 0.9 && letters >= 4 && letters / n >= 0.4;
}

/** ROT13 of the ASCII letters of `s` (length-preserving, so offsets carry over). */
export function rot13(s: string): string {
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] =
      c >= 65 && c <= 90 ? ((c - 52) % 26) + 65 : c >= 97 && c <= 122 ? ((c - 84) % 26) + 97 : c;
  }
  return UTF16.decode(out);
}

// Code units back to a string in one call. Guard input has no lone surrogates (decodeInput
// refuses them); one would read as U+FFFD, still one code unit, so offsets carry over.
const UTF16 = new TextDecoder('utf-16le');
