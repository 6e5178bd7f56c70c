import type { GuardFinding } from './types.js';

/** Classes of characters the strip stage removes, each reported under `invisible/<class>`. */
export type InvisibleClass =
  | 'unicode-tags'
  | 'variation-selectors'
  | 'sneaky-bits'
  | 'zero-width'
  | 'bidi-control'
  | 'filler'
  | 'format'
  | 'private-use'
  | 'unassigned'
  | 'control'
  | 'ansi-escape';

// How much one run of each class says "smuggling" on its own. Tags, variation-selector runs and
// sneaky bits carry hidden bytes (garak InjectUnicodeTagChars / InjectUnicodeVariantSelectors /
// InjectSneakyBits, PyRIT's smuggler converters); bidi overrides reorder what a reviewer sees
// (Trojan Source); zero-width characters split trigger words (Boucher et al., "Bad Characters").
// Isolated format characters (LRM, a BOM) are common in benign text, so they weigh little.
const WEIGHT: Record<InvisibleClass, number> = {
  'unicode-tags': 0.9,
  'variation-selectors': 0.85,
  'sneaky-bits': 0.85,
  'zero-width': 0.35,
  'bidi-control': 0.5,
  filler: 0.6,
  format: 0.1,
  'private-use': 0.3,
  unassigned: 0.3,
  control: 0.4,
  'ansi-escape': 0.6,
};

const RE_PLAIN_ASCII = /^[\x20-\x7e\t\n\r]*$/;
const RE_PLAIN_RUN = /[\x20-\x7e\t\n\r]+/y;
const RE_CF = /^\p{Cf}$/u;
const RE_CO = /^\p{Co}$/u;
const RE_CN = /^\p{Cn}$/u;
const RE_PICTO = /^\p{Extended_Pictographic}$/u;

/** The class a code point is stripped under, or undefined when it stays. */
export function invisibleClass(cp: number): InvisibleClass | undefined {
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d ? undefined : 'control';
  if (cp < 0x7f) return undefined;
  if (cp <= 0x9f) return 'control';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'unicode-tags';
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef))
    return 'variation-selectors';
  if (cp === 0x2062 || cp === 0x2064) return 'sneaky-bits';
  if (
    (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2060 ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x180e
  )
    return 'zero-width';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 'bidi-control';
  // Hangul fillers and the combining grapheme joiner are Lo/Mn, so no category filter catches
  // them; Mongolian free variation selectors likewise (Mn).
  if (
    cp === 0x3164 ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0xffa0 ||
    cp === 0x034f ||
    (cp >= 0x180b && cp <= 0x180f)
  )
    return 'filler';
  const ch = String.fromCodePoint(cp);
  if (RE_CF.test(ch)) return 'format';
  if (RE_CO.test(ch)) return 'private-use';
  if (RE_CN.test(ch)) return 'unassigned';
  return undefined;
}

/** The result of the strip stage: the kept text and, per kept code unit, its original offset. */
export interface Stripped {
  readonly text: string;
  /** map[i] = offset in the input of stripped code unit i; map[text.length] = input length. */
  readonly map: Int32Array;
  readonly findings: GuardFinding[];
  /** Text decoded from tag, variation-selector and sneaky-bits runs, to be scanned too. */
  readonly hidden: { readonly text: string; readonly start: number; readonly end: number }[];
}

// At most this many findings per class; a run of 100k zero-width characters is one finding, and
// scattered ones stop being listed one by one (the count is kept in the last finding's detail).
const MAX_FINDINGS_PER_CLASS = 32;
const MAX_HIDDEN_CHARS = 16 * 1024;

/**
 * Strips invisible and control content from `input`, reporting each run with its offsets.
 * Benign uses are kept silently: VS15/VS16 and ZWJ right after a pictograph (emoji
 * presentation and emoji sequences), a BOM at offset 0. ANSI CSI/OSC escape sequences are
 * removed whole so no `[31m` residue remains. Runs in one pass, linear in the input.
 */
export function stripInvisible(input: string): Stripped {
  // Most prompts are printable ASCII with tabs and newlines: nothing to strip or report.
  if (RE_PLAIN_ASCII.test(input)) {
    const map = new Int32Array(input.length + 1);
    for (let i = 0; i <= input.length; i++) map[i] = i;
    return { text: input, map, findings: [], hidden: [] };
  }
  const out: string[] = [];
  const map: number[] = [];
  const findings: GuardFinding[] = [];
  const hidden: { text: string; start: number; end: number }[] = [];
  const perClass = new Map<InvisibleClass, number>();
  let runClass: InvisibleClass | undefined;
  let runStart = 0;
  let runEnd = 0;
  let runCount = 0;
  let payload: number[] = [];
  let prevKept = -1;
  let hiddenChars = 0;

  const flush = (): void => {
    if (runClass === undefined) return;
    const n = (perClass.get(runClass) ?? 0) + 1;
    perClass.set(runClass, n);
    let detail = `${runCount} character${runCount === 1 ? '' : 's'}`;
    const decoded = decodeHidden(runClass, payload);
    if (decoded !== undefined && decoded.length > 0) {
      detail += `; hidden text: ${JSON.stringify(decoded.slice(0, 200))}`;
      if (hiddenChars < MAX_HIDDEN_CHARS) {
        const keep = decoded.slice(0, MAX_HIDDEN_CHARS - hiddenChars);
        hiddenChars += keep.length;
        hidden.push({ text: keep, start: runStart, end: runEnd });
      }
    }
    // A short VS or sneaky-bits run carries at most a byte or two: a weaker signal than a run.
    let weight = WEIGHT[runClass];
    if ((runClass === 'variation-selectors' || runClass === 'sneaky-bits') && runCount < 4)
      weight = 0.3;
    if (runClass === 'zero-width' && runCount >= 4) weight = 0.6;
    if (n <= MAX_FINDINGS_PER_CLASS) {
      findings.push({
        stage: 'invisible',
        code: `invisible/${runClass}`,
        message: MESSAGE[runClass],
        start: runStart,
        end: runEnd,
        weight,
        detail,
      });
    }
    runClass = undefined;
    runCount = 0;
    payload = [];
  };

  let i = 0;
  const len = input.length;
  while (i < len) {
    const cu = input.charCodeAt(i);
    // Fast path: printable ASCII, tab, newline, carriage return.
    if ((cu >= 0x20 && cu < 0x7f) || cu === 0x0a || cu === 0x09 || cu === 0x0d) {
      if (runClass !== undefined) flush();
      // Copy the whole run of plain characters at once (one code unit per `out` entry is kept
      // only for what backspace may erase: the run's last character).
      RE_PLAIN_RUN.lastIndex = i;
      RE_PLAIN_RUN.test(input);
      const end = RE_PLAIN_RUN.lastIndex > i ? RE_PLAIN_RUN.lastIndex : i + 1;
      if (end - i > 1) out.push(input.slice(i, end - 1));
      out.push(input[end - 1] ?? '');
      for (let k = i; k < end; k++) map.push(k);
      prevKept = input.charCodeAt(end - 1);
      i = end;
      continue;
    }
    if (cu === 0x1b) {
      const end = ansiEnd(input, i);
      if (runClass !== 'ansi-escape') flush();
      if (runClass === undefined) {
        runClass = 'ansi-escape';
        runStart = i;
      }
      runEnd = end;
      runCount++;
      i = end;
      continue;
    }
    const cp = input.codePointAt(i) ?? cu;
    const size = cp > 0xffff ? 2 : 1;
    if (cu === 0x08 && map.length > 0 && lastUnit(out) !== 0x0a) {
      // Backspace erases the character before it where the text is displayed (a terminal, a
      // log viewer): read it that way, so "x\b" padding cannot split a trigger word.
      const low = popUnit(out);
      map.pop();
      if (low >= 0xdc00 && low <= 0xdfff && map.length > 0) {
        popUnit(out);
        map.pop();
      }
    }
    let cls = invisibleClass(cp);
    if (
      cls !== undefined &&
      ((cls === 'variation-selectors' && (cp === 0xfe0e || cp === 0xfe0f)) || cp === 0x200d) &&
      prevKept >= 0 &&
      RE_PICTO.test(String.fromCodePoint(prevKept)) &&
      runClass === undefined
    ) {
      cls = undefined; // emoji presentation selector or emoji ZWJ sequence
    }
    if (cls === 'zero-width' && cp === 0xfeff && i === 0) {
      i += size; // byte order mark
      continue;
    }
    if (cls === undefined) {
      if (runClass !== undefined) flush();
      out.push(input[i] ?? '');
      map.push(i);
      if (size === 2) {
        out.push(input[i + 1] ?? '');
        map.push(i + 1);
      }
      prevKept = cp;
      i += size;
      continue;
    }
    if (cls !== runClass) {
      flush();
      runClass = cls;
      runStart = i;
    }
    runEnd = i + size;
    runCount++;
    if (payload.length < MAX_HIDDEN_CHARS * 8) payload.push(cp);
    i += size;
  }
  flush();
  for (const [cls, n] of perClass) {
    if (n > MAX_FINDINGS_PER_CLASS) {
      let at = -1;
      for (let k = findings.length - 1; k >= 0 && at < 0; k--) {
        if (findings[k]?.code === `invisible/${cls}`) at = k;
      }
      const last = findings[at];
      if (last !== undefined) {
        findings[at] = {
          ...last,
          detail: `${last.detail ?? ''}; ${n} runs in all, ${n - MAX_FINDINGS_PER_CLASS} not listed`,
        };
      }
    }
  }
  map.push(len);
  return { text: out.join(''), map: Int32Array.from(map), findings, hidden };
}

/** The last code unit of the chunks in `out`, or -1. */
function lastUnit(out: readonly string[]): number {
  const last = out[out.length - 1];
  return last === undefined || last.length === 0 ? -1 : last.charCodeAt(last.length - 1);
}

/** Removes the last code unit of the chunks in `out` and returns it (-1 when empty). */
function popUnit(out: string[]): number {
  const last = out.pop();
  if (last === undefined || last.length === 0) return -1;
  if (last.length > 1) out.push(last.slice(0, -1));
  return last.charCodeAt(last.length - 1);
}

const MESSAGE: Record<InvisibleClass, string> = {
  'unicode-tags': 'Unicode tag characters (U+E0000-E007F) hide ASCII text ("ASCII smuggling")',
  'variation-selectors': 'variation selectors can encode hidden bytes',
  'sneaky-bits': 'invisible times/plus (U+2062/U+2064) can encode hidden bits',
  'zero-width': 'zero-width characters can split words to evade matching',
  'bidi-control': 'bidirectional overrides or isolates reorder the displayed text',
  filler: 'Hangul filler, grapheme joiner or Mongolian variation selector (invisible letters)',
  format: 'invisible format character',
  'private-use': 'private-use character',
  unassigned: 'unassigned code point',
  control: 'control character',
  'ansi-escape': 'ANSI escape sequence (terminal control)',
};

/** Decodes the bytes a smuggling run carries; undefined for classes that carry none. */
function decodeHidden(cls: InvisibleClass, cps: readonly number[]): string | undefined {
  if (cls === 'unicode-tags') {
    let s = '';
    for (const cp of cps) {
      const c = cp - 0xe0000;
      if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
      else if (c === 0x0a || c === 0x09) s += ' ';
    }
    return s;
  }
  if (cls === 'variation-selectors') {
    if (cps.length < 4) return undefined;
    const bytes = Uint8Array.from(cps, (cp) => (cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16));
    return printable(new TextDecoder('utf-8').decode(bytes));
  }
  if (cls === 'sneaky-bits') {
    if (cps.length < 8) return undefined;
    const bytes = new Uint8Array(Math.floor(cps.length / 8));
    for (let b = 0; b < bytes.length; b++) {
      let v = 0;
      for (let k = 0; k < 8; k++) v = (v << 1) | (cps[b * 8 + k] === 0x2064 ? 1 : 0);
      bytes[b] = v;
    }
    return printable(new TextDecoder('utf-8').decode(bytes));
  }
  return undefined;
}

function printable(s: string): string | undefined {
  let good = 0;
  let n = 0;
  for (const ch of s) {
    n++;
    if (/^[\p{L}\p{N}\p{P}\p{Zs}\p{S}]$/u.test(ch)) good++;
  }
  return n > 0 && good / n >= 0.8 ? s : undefined;
}

/** End offset of the ANSI escape sequence starting at `i` (ESC), bounded and linear. */
function ansiEnd(s: string, i: number): number {
  const next = s.charCodeAt(i + 1);
  if (next === 0x5b) {
    // CSI: ESC [ parameters (0x30-0x3F)* intermediates (0x20-0x2F)* final (0x40-0x7E)
    let j = i + 2;
    while (j < s.length && j - i < 64) {
      const c = s.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
      if (c < 0x20 || c > 0x3f) return j;
      j++;
    }
    return j;
  }
  if (next === 0x5d) {
    // OSC: ESC ] ... (BEL | ESC \); hyperlinks (OSC 8) and window titles live here.
    let j = i + 2;
    while (j < s.length && j - i < 4096) {
      const c = s.charCodeAt(j);
      if (c === 0x07) return j + 1;
      if (c === 0x1b) return s.charCodeAt(j + 1) === 0x5c ? j + 2 : j;
      j++;
    }
    return j;
  }
  return Math.min(s.length, i + (Number.isNaN(next) ? 1 : 2));
}
