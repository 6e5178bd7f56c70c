import type { GuardConfig } from './config.js';
import { foldForMatching } from './confusables.js';
import { applyCuts, filterFindings, findFilterCuts } from './filter.js';
import { heuristicFindings, heuristicHits, heuristicScore } from './heuristics.js';
import { stripInvisible } from './invisible.js';
import { atbash } from './decoders.js';
import { rescanText, rot13 } from './rescan.js';
import type { GuardFinding, GuardRecordError } from './types.js';
import { bestSuffixWindow, shippedSuffixModel, tailScore } from './suffix.js';
import { schemaFindings, textFindings } from './validate.js';

/** Everything the sanitiser stages and the heuristic layer found, before the model scores it. */
export interface Analysis {
  /** The folded text the detectors read (NFKC, marks dropped, confusables folded). */
  readonly folded: string;
  /** Hidden (smuggled) and decoded (base64 …) texts, scanned too. */
  readonly extraTexts: readonly string[];
  readonly findings: readonly GuardFinding[];
  readonly sanitizerScore: number;
  readonly heuristicScore: number;
  /** The sanitised text (strip, filter, NFKC), before output encoding. */
  readonly sanitized: string;
}

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '|': 'l',
};

/**
 * Decodes `input` (a string, or UTF-8 bytes decoded strictly), or returns the record error:
 * BAD_UTF8 with the byte offset, LONE_SURROGATE with the code unit offset, LIMIT_EXCEEDED when
 * longer than `maxChars`.
 */
export function decodeInput(
  input: string | Uint8Array,
  maxChars: number,
): { text: string } | { error: GuardRecordError } {
  let text: string;
  if (typeof input === 'string') {
    if (input.length > maxChars) return { error: tooLong(input.length, maxChars) };
    text = input;
    const bad = loneSurrogate(text);
    if (bad >= 0)
      return {
        error: { code: 'LONE_SURROGATE', message: `lone surrogate at code unit ${bad}` },
      };
  } else {
    // A UTF-8 byte encodes at most one UTF-16 code unit, so this bound is exact enough.
    if (input.byteLength > maxChars * 3) return { error: tooLong(input.byteLength, maxChars) };
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      return {
        error: { code: 'BAD_UTF8', message: `invalid UTF-8 at byte ${badUtf8Offset(input)}` },
      };
    }
    if (text.length > maxChars) return { error: tooLong(text.length, maxChars) };
  }
  return { text };
}

function tooLong(n: number, max: number): GuardRecordError {
  return {
    code: 'LIMIT_EXCEEDED',
    message: `input of ${n} characters is over the ${max}-character limit (guard.max-chars); not judged`,
  };
}

function loneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

function badUtf8Offset(b: Uint8Array): number {
  // Binary search on the longest valid prefix would need many decodes; walk the sequences once.
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    const n =
      c < 0x80
        ? 1
        : c >= 0xc2 && c < 0xe0
          ? 2
          : c >= 0xe0 && c < 0xf0
            ? 3
            : c >= 0xf0 && c < 0xf5
              ? 4
              : 0;
    if (n === 0 || i + n > b.length) return i;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return i;
}

/**
 * Runs the sanitiser stages and the heuristic layer over decoded `text`: strip invisible content,
 * fold (NFKC and confusables), filter active HTML and exfiltration links, decode and rescan
 * encoded spans, validate, and match the heuristic patterns on the folded text, on hidden and
 * decoded texts, and on its ROT13, Atbash and leetspeak readings. All offsets are in `text`.
 */
export function analyze(text: string, config: GuardConfig, structured?: unknown): Analysis {
  const findings: GuardFinding[] = [];
  const st = config.stages;
  const strip = st.invisible
    ? stripInvisible(text)
    : { text, map: identity(text.length), findings: [], hidden: [] };
  findings.push(...strip.findings);
  const fold = st.normalize
    ? foldForMatching(strip.text)
    : {
        text: strip.text,
        map: identity(strip.text.length),
        confusableSpans: [],
        mixedScriptWords: [],
        compatibilityCount: 0,
      };
  const fromStripped = (o: number): number => strip.map[o] ?? text.length;
  const fromFolded = (o: number): number => fromStripped(fold.map[o] ?? strip.text.length);

  if (st.normalize) {
    for (const w of fold.mixedScriptWords) {
      findings.push({
        stage: 'normalize',
        code: 'normalize/mixed-script',
        message: `word mixes ${w.scripts} letters (homoglyph obfuscation)`,
        start: fromStripped(w.start),
        end: fromStripped(w.end),
        weight: 0.5,
        detail: strip.text.slice(w.start, w.end).slice(0, 80),
      });
    }
    const first = fold.confusableSpans[0];
    if (first !== undefined) {
      findings.push({
        stage: 'normalize',
        code: 'normalize/confusable',
        message: `${fold.confusableSpans.length} character(s) read as their UTS #39 confusable prototype`,
        start: fromStripped(first.start),
        end: fromStripped(first.end),
        weight: 0.05,
        detail: fold.confusableSpans
          .slice(0, 8)
          .map((c) => `${c.from}→${c.to}`)
          .join(' '),
      });
    }
    if ('compatibilitySpan' in fold) {
      findings.push({
        stage: 'normalize',
        code: 'normalize/compatibility',
        message: `${fold.compatibilityCount} character(s) changed by NFKC (fullwidth, ligature, styled letters)`,
        start: fromStripped(fold.compatibilitySpan.start),
        end: fromStripped(fold.compatibilitySpan.end),
        weight: fold.compatibilityCount >= 8 ? 0.2 : 0.05,
      });
    }
  }

  const cuts = st.filter ? findFilterCuts(strip.text, config.filter.allowHosts) : [];
  findings.push(...filterFindings(cuts, fromStripped));

  const hits = heuristicHits(fold.text);
  findings.push(...heuristicFindings(hits, fromFolded));
  const allHits: { family: string; weight: number }[] = [...hits];
  const seen = new Set(hits.map((h) => h.name));
  const extraTexts: string[] = [];

  for (const h of strip.hidden) {
    const folded = st.normalize ? foldForMatching(h.text).text : h.text;
    extraTexts.push(folded);
    const hh = heuristicHits(folded);
    allHits.push(...hh);
    findings.push(
      ...heuristicFindings(hh, () => h.start, 'hidden text').map((f) => ({ ...f, end: h.end })),
    );
  }

  if (st.rescan) {
    const rescan = rescanText(fold.text, config.rescan, strip.text);
    if (rescan.exhausted) {
      // Decoys can use up the budget before the payload: say so rather than pass silently.
      findings.push({
        stage: 'rescan',
        code: 'rescan/limit-reached',
        message: `rescan limits reached (guard.rescan: ${config.rescan.maxSpans} spans, ${config.rescan.maxDecodedChars} decoded characters); later encoded spans were not decoded`,
        start: 0,
        end: text.length,
        weight: 0.3,
      });
    }
    for (const d of rescan.spans) {
      const at = d.inRaw === true ? fromStripped : fromFolded;
      const folded = st.normalize ? foldForMatching(d.decoded).text : d.decoded;
      extraTexts.push(folded);
      const hh = heuristicHits(folded);
      allHits.push(...hh);
      findings.push({
        stage: 'rescan',
        code: `rescan/${d.encoding}`,
        message: `${d.encoding}-encoded text${d.depth > 1 ? ` (nested, depth ${d.depth})` : ''} decoded and scanned`,
        start: at(d.start),
        end: at(d.end),
        weight: hh.length > 0 ? 0.5 : 0.2,
        detail: d.decoded.slice(0, 200),
      });
      findings.push(
        ...heuristicFindings(hh, () => at(d.start), `${d.encoding}-decoded text`).map((f) => ({
          ...f,
          end: at(d.end),
        })),
      );
    }
    // ROT13, Atbash and leetspeak readings of the whole text. A reading counts when it has
    // instruction wording the plain text lacks, or when it reads as English and the plain text
    // does not (the text is obfuscated even if its payload matches no pattern).
    const plainEnglish = englishness(fold.text);
    for (const [name, reading] of [
      ['rot13', rot13(fold.text)],
      ['atbash', atbash(fold.text)],
      ['leetspeak', deLeet(fold.text)],
    ] as const) {
      if (reading === fold.text) continue;
      const english = englishness(reading);
      const obfuscated =
        (english >= 3 && english >= 2 * plainEnglish + 2) || lettersFitEnglish(reading, fold.text);
      // The model reads the alternative too when it looks more like English than the plain text.
      if (english > plainEnglish) extraTexts.push(reading);
      const hh = heuristicHits(reading).filter((h) => !seen.has(h.name));
      if (hh.length === 0 && !obfuscated) continue;
      for (const h of hh) seen.add(h.name);
      allHits.push(...hh);
      findings.push({
        stage: 'rescan',
        code: `rescan/${name}`,
        message:
          hh.length > 0
            ? `instruction wording found in the ${name} reading of the text`
            : `the ${name} reading of the text is English (${english} common words against ${plainEnglish})`,
        start: fromFolded(hh[0]?.start ?? 0),
        end: fromFolded(hh[0]?.end ?? fold.text.length),
        weight: hh.length > 0 ? 0.5 : 0.3,
        detail: (hh.length > 0 ? reading.slice(hh[0]?.start ?? 0, hh[0]?.end ?? 0) : reading).slice(
          0,
          120,
        ),
      });
      findings.push(...heuristicFindings(hh, fromFolded, `${name} reading`));
    }
  }

  if (st.suffix) {
    const model = shippedSuffixModel();
    const hit = bestSuffixWindow(model, fold.text);
    const tail = tailScore(model, fold.text);
    const span =
      hit !== undefined && hit.score >= model.threshold
        ? {
            hit,
            what: `a run of ${model.window} words reads as an optimised adversarial suffix (GCG-style token soup; window score ${hit.score.toFixed(4)}, threshold ${model.threshold})`,
          }
        : tail !== undefined && tail.score >= model.tail.threshold
          ? {
              hit: tail,
              what: `the last ${model.tail.words} words read as an optimised adversarial suffix (GCG-style token soup, surprising to a character language model of ordinary text; tail score ${tail.score.toFixed(4)}, threshold ${model.tail.threshold})`,
            }
          : undefined;
    if (span !== undefined) {
      findings.push({
        stage: 'suffix',
        code: 'suffix/adversarial',
        message: span.what,
        start: fromFolded(span.hit.start),
        end: fromFolded(span.hit.end),
        weight: 0.9,
        detail: fold.text.slice(span.hit.start, span.hit.end).slice(0, 200),
      });
    }
  }

  if (st.validate) {
    findings.push(...textFindings(strip.text, strip.map, config.validate));
    const schema = config.validate.schema;
    if (schema !== undefined && schema !== null && typeof schema === 'object') {
      let value = structured;
      if (value === undefined) {
        try {
          value = JSON.parse(text) as unknown;
        } catch {
          value = text;
        }
      }
      findings.push(...schemaFindings(value, schema, text.length));
    }
  }

  const sanitizerFindings = findings.filter((f) => f.stage !== 'heuristic');
  const sanitized = applyCuts(strip.text, cuts);
  return {
    folded: fold.text,
    extraTexts,
    findings,
    sanitizerScore: heuristicScore(
      sanitizerFindings.map((f) => ({ family: f.code, weight: f.weight })),
    ),
    heuristicScore: heuristicScore(allHits),
    sanitized: st.normalize ? sanitized.normalize('NFKC') : sanitized,
  };
}

const RE_COMMON = /\b(?:the|and|to|of|you|is|in|that|it|for|your|are|with|this|all|not)\b/gi;

/** How many very common English words a text has (counted in its first 4 KiB). */
function englishness(s: string): number {
  return (s.slice(0, 4096).match(RE_COMMON) ?? []).length;
}

// English letter frequencies (a to z), the usual table from large corpora.
const ENGLISH_LETTERS = [
  8.17, 1.49, 2.78, 4.25, 12.7, 2.23, 2.02, 6.09, 6.97, 0.15, 0.77, 4.03, 2.41, 6.75, 7.51, 1.93,
  0.1, 5.99, 6.33, 9.06, 2.76, 0.98, 2.36, 0.15, 1.97, 0.07,
].map((p) => p / 100);

/** Chi-squared distance per letter from English letter frequencies; undefined under 12 letters. */
function letterDistance(s: string): number | undefined {
  const counts = new Array<number>(26).fill(0);
  let n = 0;
  const head = s.slice(0, 4096);
  for (let i = 0; i < head.length; i++) {
    const k = (head.charCodeAt(i) | 0x20) - 97;
    if (k >= 0 && k < 26) {
      counts[k] = (counts[k] ?? 0) + 1;
      n++;
    }
  }
  if (n < 12) return undefined;
  let chi = 0;
  for (let k = 0; k < 26; k++) {
    const expected = (ENGLISH_LETTERS[k] ?? 0) * n;
    chi += ((counts[k] ?? 0) - expected) ** 2 / expected;
  }
  return chi / n;
}

/**
 * Whether `reading`'s letters look English while `plain`'s do not (a substitution cipher of
 * English). The thresholds (3x closer, under 0.8) were chosen on the train and tune splits: no
 * benign row of them passes for either reading.
 */
function lettersFitEnglish(reading: string, plain: string): boolean {
  const r = letterDistance(reading);
  const p = letterDistance(plain);
  return r !== undefined && p !== undefined && r * 3 < p && r < 0.8;
}

function deLeet(s: string): string {
  if (!/[\d@$|]/.test(s)) return s;
  // Only words that mix letters with leet digits/symbols are rewritten ("1gn0r3", not "2024").
  return s.replace(/[\p{L}\d@$|]+/gu, (w) =>
    /\p{L}/u.test(w) && /[\d@$|]/.test(w) ? w.replace(/[013457@$|]/g, (c) => LEET[c] ?? c) : w,
  );
}

function identity(n: number): Int32Array {
  const m = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) m[i] = i;
  return m;
}
