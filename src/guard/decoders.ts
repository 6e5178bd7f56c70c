// Decoders for the less common text encodings attackers wrap payloads in (garak's encoding probes,
// PyRIT's converters): ascii85/base85, quoted-printable, MIME encoded-words, uuencode, Morse, the
// NATO spelling alphabet and Unicode braille. Each finds candidate spans with a linear regex and
// decodes them; the caller keeps a span only when the decoding reads as text.

/** An encoding this module can find and decode. */
export type ExtraEncoding =
  | 'ascii85'
  | 'base85'
  | 'quoted-printable'
  | 'mime-word'
  | 'uuencode'
  | 'morse'
  | 'nato'
  | 'braille';

/** A candidate span for one of the extra encodings. */
export interface Candidate {
  readonly encoding: ExtraEncoding;
  readonly start: number;
  readonly end: number;
}

const FATAL = new TextDecoder('utf-8', { fatal: true });

// Candidate regexes: each a run of one character class, or a repetition of one fixed shape.
const RE_A85_DELIMITED = /<~[!-u\sz]{8,}~>/g;
// Bare ascii85 and RFC 1924 base85 runs; the decoders and the readability test prove them.
const RE_A85 = /[!-uz]{20,}/g;
const RE_B85 = /[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]{20,}/g;
const RE_QP = /(?:[^\s=]{0,16}=(?:[0-9A-F]{2}|\r?\n)){3,}[^\s=]{0,16}/g;
const RE_MIME = /=\?[\w.-]{1,40}\?[BbQq]\?[^?\s]{1,4096}\?=/g;
// uuencoded lines: a length character then groups of four characters from ' ' to '`'.
const RE_UU =
  /(?:^|\n)(?:begin [0-7]{3} [^\n]{1,256}\n)?(?:[!-M][ -`]{4,84}\n?){1,}(?:`?\n?end\b)?/g;
const RE_MORSE = /(?:[.\-·•−–_]{1,8}(?:[ \t]+(?:[/|][ \t]*)?|[/|][ \t]*)){4,}[.\-·•−–_]{1,8}/g;
const RE_BRAILLE = /[\u2800-\u28ff](?:\s?[\u2800-\u28ff]){5,}/g;

const NATO_WORDS = [
  'alfa alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett juliet',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
  'quebec',
  'romeo',
  'sierra',
  'tango',
  'uniform',
  'victor',
  'whiskey whisky',
  'x-ray xray',
  'yankee',
  'zulu',
];
const NATO = new Map<string, string>();
NATO_WORDS.forEach((words, i) => {
  for (const w of words.split(' ')) NATO.set(w, String.fromCharCode(97 + i));
});
const NATO_ALT = [...NATO.keys()].map((w) => w.replace('-', '\\-')).join('|');
// Six or more spelling-alphabet words in a row (word breaks as "/", "space", "stop" or "|").
const RE_NATO = new RegExp(
  `\\b(?:(?:${NATO_ALT}|space|stop)[\\s,/|]+){5,}(?:${NATO_ALT})\\b`,
  'gi',
);

const MORSE: Record<string, string> = {
  '.-': 'a',
  '-...': 'b',
  '-.-.': 'c',
  '-..': 'd',
  '.': 'e',
  '..-.': 'f',
  '--.': 'g',
  '....': 'h',
  '..': 'i',
  '.---': 'j',
  '-.-': 'k',
  '.-..': 'l',
  '--': 'm',
  '-.': 'n',
  '---': 'o',
  '.--.': 'p',
  '--.-': 'q',
  '.-.': 'r',
  '...': 's',
  '-': 't',
  '..-': 'u',
  '...-': 'v',
  '.--': 'w',
  '-..-': 'x',
  '-.--': 'y',
  '--..': 'z',
  '-----': '0',
  '.----': '1',
  '..---': '2',
  '...--': '3',
  '....-': '4',
  '.....': '5',
  '-....': '6',
  '--...': '7',
  '---..': '8',
  '----.': '9',
  '.-.-.-': '.',
  '--..--': ',',
  '..--..': '?',
  '.----.': "'",
  '-.-.--': '!',
  '-..-.': '/',
  '-.--.': '(',
  '-.--.-': ')',
  '---...': ':',
  '-.-.-.': ';',
  '-...-': '=',
  '.-.-.': '+',
  '-....-': '-',
  '.-..-.': '"',
  '.--.-.': '@',
};

// Braille cells (dots 1-6 as bits 0-5 of the code point's offset from U+2800) of grade-1 letters.
const BRAILLE_LETTERS = [
  0x01, 0x03, 0x09, 0x19, 0x11, 0x0b, 0x1b, 0x13, 0x0a, 0x1a, 0x05, 0x07, 0x0d, 0x1d, 0x15, 0x0f,
  0x1f, 0x17, 0x0e, 0x1e, 0x25, 0x27, 0x3a, 0x2d, 0x3d, 0x35,
];
const BRAILLE = new Map<number, string>();
BRAILLE_LETTERS.forEach((cell, i) => BRAILLE.set(cell, String.fromCharCode(97 + i)));
const BRAILLE_PUNCT = new Map<number, string>([
  [0x00, ' '],
  [0x02, ','],
  [0x06, ';'],
  [0x12, ':'],
  [0x32, '.'],
  [0x16, '!'],
  [0x26, '?'],
  [0x04, "'"],
  [0x24, '-'],
]);
const BRAILLE_CAPITAL = 0x20;
const BRAILLE_NUMBER = 0x3c;

/** Candidate spans of every extra encoding in `text`, at most `maxSpans` of them. */
export function extraCandidates(text: string, maxSpans: number): Candidate[] {
  const out: Candidate[] = [];
  const add = (encoding: ExtraEncoding, re: RegExp, precheck: boolean): void => {
    if (!precheck) return;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null && out.length < maxSpans) {
      // A leading newline belongs to the separator, not to the span.
      const lead = m[0].startsWith('\n') ? 1 : 0;
      if (plausible(encoding, m[0].slice(lead)))
        out.push({ encoding, start: m.index + lead, end: m.index + m[0].length });
    }
  };
  add('ascii85', RE_A85_DELIMITED, text.includes('<~'));
  add('mime-word', RE_MIME, text.includes('=?'));
  add('quoted-printable', RE_QP, text.includes('='));
  add('uuencode', RE_UU, true);
  add('morse', RE_MORSE, /[.·•]/.test(text) && /[-−–_]/.test(text));
  add('nato', RE_NATO, true);
  add('braille', RE_BRAILLE, /[\u2800-\u28ff]/.test(text));
  // Bare ascii85/base85 runs need punctuation inside the run (plain words are not candidates).
  add('ascii85', RE_A85, /[!-/:-@[-`]\S*[!-/:-@[-`]/.test(text));
  add('base85', RE_B85, /[!#$%&()*+;<=>?@^_`{|}~]/.test(text));
  return out;
}

// Cheap shape checks that keep ordinary text from using up the span budget.
function plausible(encoding: ExtraEncoding, raw: string): boolean {
  switch (encoding) {
    case 'ascii85':
      return raw.startsWith('<~') || (raw.match(/[!-/:-@[-`]/g) ?? []).length >= 2;
    case 'base85':
      return (raw.match(/[!#$%&()*+;<=>?@^_`{|}~-]/g) ?? []).length >= 2;
    case 'uuencode':
      return raw.split('\n').some(uuLineConsistent);
    case 'quoted-printable':
    case 'mime-word':
    case 'morse':
    case 'nato':
    case 'braille':
      return true;
  }
}

// A uuencoded data line: its length character announces exactly the groups that follow.
function uuLineConsistent(line: string): boolean {
  const n = (line.charCodeAt(0) - 32) & 63;
  return n > 0 && line.length - 1 === Math.ceil(n / 3) * 4 && line.length >= 8;
}

/** Decodes one candidate span; undefined when it does not decode. */
export function decodeExtra(encoding: ExtraEncoding, raw: string): string | undefined {
  try {
    switch (encoding) {
      case 'ascii85':
        return bytesText(ascii85(raw));
      case 'base85':
        return bytesText(base85(raw));
      case 'quoted-printable':
        return bytesText(quotedPrintable(raw, false));
      case 'mime-word':
        return mimeWord(raw);
      case 'uuencode':
        return bytesText(uudecode(raw));
      case 'morse':
        return morse(raw);
      case 'nato':
        return nato(raw);
      case 'braille':
        return braille(raw);
    }
  } catch {
    return undefined;
  }
}

function bytesText(b: Uint8Array | undefined): string | undefined {
  return b === undefined || b.length < 4 ? undefined : FATAL.decode(b);
}

/** Adobe ascii85 (with or without `<~ ~>`), `z` for four zero bytes; undefined when invalid. */
export function ascii85(raw: string): Uint8Array | undefined {
  let s = raw.replace(/\s+/g, '');
  if (s.startsWith('<~')) s = s.slice(2);
  if (s.endsWith('~>')) s = s.slice(0, -2);
  return digits85(
    s,
    (ch) => {
      const c = ch.charCodeAt(0);
      return c < 33 || c > 117 ? -1 : c - 33;
    },
    'z',
  );
}

const B85_ALPHABET =
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** RFC 1924 base85 (Python's base64.b85encode); undefined when invalid. */
export function base85(raw: string): Uint8Array | undefined {
  return digits85(raw, (ch) => B85_ALPHABET.indexOf(ch));
}

/**
 * Base-85 text to bytes, given each character's digit (-1: not a digit); a short last group is
 * padded. `zeros`, where a group starts, stands for four zero bytes (ascii85's `z`).
 */
function digits85(
  text: string,
  digitOf: (ch: string) => number,
  zeros?: string,
): Uint8Array | undefined {
  const out: number[] = [];
  let group: number[] = [];
  for (const ch of text) {
    if (ch === zeros && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const d = digitOf(ch);
    if (d < 0) return undefined;
    group.push(d);
    if (group.length === 5) {
      const bytes = group85(group, 5);
      if (bytes === undefined) return undefined;
      out.push(...bytes);
      group = [];
    }
  }
  if (group.length === 1) return undefined;
  if (group.length > 0) {
    const n = group.length;
    while (group.length < 5) group.push(84);
    const bytes = group85(group, n);
    if (bytes === undefined) return undefined;
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

/** Five base-85 digits to four bytes, keeping the first `n - 1` (a partial final group). */
function group85(digits: readonly number[], n: number): number[] | undefined {
  let v = 0;
  for (const d of digits) v = v * 85 + d;
  if (v > 0xffffffff) return undefined;
  const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return bytes.slice(0, n - 1);
}

/** Quoted-printable (RFC 2045); `underscoreSpace` for the Q encoding of MIME words. */
export function quotedPrintable(raw: string, underscoreSpace: boolean): Uint8Array {
  const s = raw.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i) ?? 0;
    if (cp === 0x3d && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    if (cp === 0x5f && underscoreSpace) out.push(0x20);
    else out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    i += cp > 0xffff ? 2 : 1;
  }
  return Uint8Array.from(out);
}

/** One RFC 2047 encoded-word, `=?charset?B|Q?text?=`; UTF-8, ASCII and Latin-1 charsets. */
function mimeWord(raw: string): string | undefined {
  const m = /^=\?([\w.-]+)\?([BbQq])\?([^?\s]*)\?=$/.exec(raw);
  if (m === null) return undefined;
  const [, cs = '', kind = '', body = ''] = m;
  const charset = cs.toLowerCase();
  const bytes =
    kind.toUpperCase() === 'B'
      ? Buffer.from(body, 'base64')
      : Buffer.from(quotedPrintable(body, true));
  if (charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii')
    return FATAL.decode(bytes);
  if (charset === 'iso-8859-1' || charset === 'latin1' || charset === 'windows-1252')
    return bytes.toString('latin1');
  return undefined;
}

/** uuencoded lines (with or without `begin`/`end`); undefined when a line is inconsistent. */
export function uudecode(raw: string): Uint8Array | undefined {
  const out: number[] = [];
  for (const line of raw.split('\n')) {
    if (line === '' || line === '`' || line === 'end' || line.startsWith('begin ')) continue;
    const n = (line.charCodeAt(0) - 32) & 63;
    if (n === 0) continue;
    const body = line.slice(1);
    if (body.length < Math.ceil(n / 3) * 4) return undefined;
    const bytes: number[] = [];
    for (let i = 0; i + 4 <= body.length && bytes.length < n; i += 4) {
      const c = [0, 1, 2, 3].map((k) => (body.charCodeAt(i + k) - 32) & 63) as [
        number,
        number,
        number,
        number,
      ];
      bytes.push(
        (c[0] << 2) | (c[1] >> 4),
        ((c[1] & 15) << 4) | (c[2] >> 2),
        ((c[2] & 3) << 6) | c[3],
      );
    }
    out.push(...bytes.slice(0, n));
  }
  return Uint8Array.from(out);
}

/** International Morse: letters by spaces, words by `/`, `|` or runs of spaces. */
function morse(raw: string): string | undefined {
  const norm = raw.replace(/[·•]/g, '.').replace(/[−–_]/g, '-');
  let out = '';
  let bad = 0;
  for (const word of norm.split(/\s*[/|]\s*|\s{2,}/)) {
    for (const sym of word.trim().split(/\s+/)) {
      if (sym === '') continue;
      const ch = MORSE[sym];
      if (ch === undefined) bad++;
      else out += ch;
    }
    out += ' ';
  }
  return bad * 10 > out.length ? undefined : out.trim();
}

/** NATO spelling alphabet: one letter per code word; "space", "stop" and "/" break words. */
function nato(raw: string): string {
  let out = '';
  for (const tok of raw.toLowerCase().split(/[\s,|]+/)) {
    if (tok === '/' || tok === 'space' || tok === 'stop') out += ' ';
    else {
      for (const part of tok.split('/')) {
        if (part === '') out += ' ';
        else out += NATO.get(part) ?? '';
      }
    }
  }
  return out.replace(/ +/g, ' ').trim();
}

/** Unicode grade-1 braille letters, digits after the number sign, the capital sign. */
function braille(raw: string): string | undefined {
  let out = '';
  let capital = false;
  let number = false;
  for (const ch of raw) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x2800 || cp > 0x28ff) {
      out += ch;
      number = false;
      continue;
    }
    const cell = (cp - 0x2800) & 0x3f;
    if (cell === BRAILLE_CAPITAL) {
      capital = true;
      continue;
    }
    if (cell === BRAILLE_NUMBER) {
      number = true;
      continue;
    }
    const letter = BRAILLE.get(cell);
    if (letter !== undefined) {
      const idx = letter.charCodeAt(0) - 97;
      out += number && idx < 10 ? String((idx + 1) % 10) : capital ? letter.toUpperCase() : letter;
      capital = false;
      continue;
    }
    const p = BRAILLE_PUNCT.get(cell);
    if (p === undefined) return undefined;
    if (p === ' ') number = false;
    out += p;
    capital = false;
  }
  return out;
}

/** Atbash (a↔z) of the ASCII letters of `s`, length-preserving so offsets carry over. */
export function atbash(s: string): string {
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c >= 65 && c <= 90 ? 155 - c : c >= 97 && c <= 122 ? 219 - c : c;
  }
  return UTF16.decode(out);
}

const UTF16 = new TextDecoder('utf-16le');
