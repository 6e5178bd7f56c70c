import { SeededRandom } from '../stats/seeded-random.js';
import { itemAt } from '../core/item-at.js';

/** A malformed canary format or canary file; the message says what and where. */
export class CanaryError extends Error {
  override readonly name = 'CanaryError';
}

/** One random slot of a canary format. */
export type Slot =
  | { readonly kind: 'digits'; readonly length: number }
  | { readonly kind: 'hex'; readonly length: number }
  | { readonly kind: 'words'; readonly count: number };

/** A format split into literal text and random slots, in order. */
export type FormatPart = { readonly literal: string } | { readonly slot: Slot };

/** A parsed format with its randomness space. */
export interface CanaryFormat {
  readonly source: string;
  readonly parts: readonly FormatPart[];
  /** The text before the first slot: the context the secret is scored under. */
  readonly prefix: string;
  /** Words for `{words:N}` slots, distinct, in list order. */
  readonly words: readonly string[];
  /** log2 of the number of distinct secrets the format can produce. */
  readonly log2SpaceSize: number;
}

const MAX_SLOT = 64;
const MAX_FORMAT = 4096;

/**
 * Parses a format such as `my secret is {digits:9}`: literal text with slots `{digits:N}`,
 * `{hex:N}` (lower-case hex) and `{words:N}` (N words from `words`, joined by single spaces).
 * `{{` and `}}` are literal braces. Throws `CanaryError` on an impossible format: no slot,
 * an unknown slot, a size of 0 or above 64, `{words:N}` without a word list, a word list with
 * fewer than two distinct words or with words holding white space, or a slot directly after
 * another (their boundary would be ambiguous to a tokenizer and to the reader).
 */
export function parseCanaryFormat(source: string, words: readonly string[] = []): CanaryFormat {
  if (source.length > MAX_FORMAT)
    throw new CanaryError(`format longer than ${MAX_FORMAT} characters`);
  const parts: FormatPart[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const ch = itemAt(source, i);
    if (ch === '{' && source[i + 1] === '{') {
      literal += '{';
      i += 2;
      continue;
    }
    if (ch === '}' && source[i + 1] === '}') {
      literal += '}';
      i += 2;
      continue;
    }
    if (ch === '}') throw new CanaryError(`unmatched '}' at ${i} in the format`);
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    const end = source.indexOf('}', i);
    if (end < 0) throw new CanaryError(`unclosed '{' at ${i} in the format`);
    const body = source.slice(i + 1, end);
    const match = /^(digits|hex|words):(\d{1,3})$/.exec(body);
    if (match === null) {
      throw new CanaryError(
        `unknown slot '{${body}}' at ${i}: use {digits:N}, {hex:N} or {words:N} (1 <= N <= ${MAX_SLOT})`,
      );
    }
    const size = Number(match[2]);
    if (size < 1 || size > MAX_SLOT)
      throw new CanaryError(`slot '{${body}}' needs 1 <= N <= ${MAX_SLOT}`);
    if (literal !== '') parts.push({ literal });
    else if (parts.length > 0) {
      throw new CanaryError(
        `slot '{${body}}' at ${i} follows another slot with no text between them`,
      );
    }
    literal = '';
    const kind = match[1] as Slot['kind'];
    parts.push({ slot: kind === 'words' ? { kind, count: size } : { kind, length: size } });
    i = end + 1;
  }
  if (literal !== '') parts.push({ literal });
  const slots = parts.flatMap((p) => ('slot' in p ? [p.slot] : []));
  if (slots.length === 0)
    throw new CanaryError('the format has no random slot ({digits:N}, {hex:N} or {words:N})');
  const distinct = [...new Set(words)];
  if (slots.some((s) => s.kind === 'words')) {
    if (distinct.length < 2)
      throw new CanaryError(
        '{words:N} needs a word list of at least two distinct words (--words FILE)',
      );
    const bad = distinct.find((w) => w === '' || /\s/.test(w));
    if (bad !== undefined)
      throw new CanaryError(`word list entry ${JSON.stringify(bad)} is empty or holds white space`);
  }
  let log2SpaceSize = 0;
  for (const s of slots) {
    if (s.kind === 'digits') log2SpaceSize += s.length * Math.log2(10);
    else if (s.kind === 'hex') log2SpaceSize += s.length * 4;
    else log2SpaceSize += s.count * Math.log2(distinct.length);
  }
  const first = itemAt(parts, 0);
  if (!('literal' in first)) {
    // The endpoint gives no log-probability for the first token, and a secret with no context
    // would be scored against nothing: the secret must follow some text.
    throw new CanaryError(
      'the format must start with literal text (the prefix the secret is scored after)',
    );
  }
  return {
    source,
    parts,
    prefix: first.literal,
    words: distinct,
    log2SpaceSize,
  };
}

/** Draws one secret (every slot filled) and renders the full canary text. */
export function drawCanary(format: CanaryFormat, random: SeededRandom): string {
  return format.parts
    .map((p) => ('literal' in p ? p.literal : drawSlot(p.slot, format.words, random)))
    .join('');
}

function drawSlot(slot: Slot, words: readonly string[], random: SeededRandom): string {
  if (slot.kind === 'digits')
    return Array.from({ length: slot.length }, () => String(random.below(10))).join('');
  if (slot.kind === 'hex')
    return Array.from({ length: slot.length }, () => random.below(16).toString(16)).join('');
  return Array.from({ length: slot.count }, () => itemAt(words, random.below(words.length))).join(
    ' ',
  );
}

/**
 * Every canary text of the space, in order, when it has at most `limit` members; `undefined`
 * otherwise. Used for the exact rank.
 */
export function enumerateSpace(format: CanaryFormat, limit: number): string[] | undefined {
  if (format.log2SpaceSize > Math.log2(limit) + 1e-9) return undefined;
  let texts = [''];
  for (const p of format.parts) {
    if ('literal' in p) {
      texts = texts.map((t) => t + p.literal);
      continue;
    }
    const choices = slotChoices(p.slot, format.words);
    const next: string[] = [];
    for (const t of texts) for (const c of choices) next.push(t + c);
    texts = next;
  }
  return texts;
}

function slotChoices(slot: Slot, words: readonly string[]): string[] {
  const alphabet =
    slot.kind === 'digits'
      ? '0123456789'.split('')
      : slot.kind === 'hex'
        ? '0123456789abcdef'.split('')
        : [...words];
  const n = slot.kind === 'words' ? slot.count : slot.length;
  let out = [''];
  for (let i = 0; i < n; i++) {
    const next: string[] = [];
    for (const o of out)
      for (const a of alphabet) next.push(slot.kind === 'words' && i > 0 ? `${o} ${a}` : o + a);
    out = next;
  }
  return out;
}

/** Checks that `text` is a member of the format's space (a canary file can be edited by hand). */
export function matchesFormat(format: CanaryFormat, text: string): boolean {
  let at = 0;
  const wordSet = new Set(format.words);
  for (const p of format.parts) {
    if ('literal' in p) {
      if (!text.startsWith(p.literal, at)) return false;
      at += p.literal.length;
      continue;
    }
    const s = p.slot;
    if (s.kind === 'words') {
      for (let k = 0; k < s.count; k++) {
        if (k > 0) {
          if (text[at] !== ' ') return false;
          at++;
        }
        let end = at;
        while (end < text.length && text[end] !== ' ' && !startsLiteralAt(format, p, text, end))
          end++;
        if (!wordSet.has(text.slice(at, end))) return false;
        at = end;
      }
      continue;
    }
    const re = s.kind === 'digits' ? /^[0-9]$/ : /^[0-9a-f]$/;
    for (let k = 0; k < s.length; k++) {
      if (!re.test(text[at] ?? '')) return false;
      at++;
    }
  }
  return at === text.length;
}

function startsLiteralAt(
  format: CanaryFormat,
  slotPart: FormatPart,
  text: string,
  at: number,
): boolean {
  const index = format.parts.indexOf(slotPart);
  const next = format.parts[index + 1];
  return (
    next !== undefined &&
    'literal' in next &&
    next.literal !== '' &&
    text.startsWith(next.literal, at)
  );
}

export { SeededRandom };
