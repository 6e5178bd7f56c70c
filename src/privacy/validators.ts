import { crc32 } from 'node:zlib';
import { isIPv6 } from 'node:net';

// Checksum and range validators of the privacy recognisers. Each takes the matched text (with
// separators) and answers whether it can be a real value of its kind. The facts follow the
// published specifications (ISO/IEC 7812 Luhn, ISO 13616 IBAN, SSA SSN rules, NHS Data Dictionary,
// Spanish Real Decreto 1065/2007 NIF letters, German §139b AO tax id with ISO 7064 Mod 11,10).

/** Only the ASCII digits of `text`. */
export function digitsOf(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) out += String.fromCharCode(c);
  }
  return out;
}

/** Whether the digit string passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Card brands by issuer identification number prefix and length (ISO/IEC 7812 registrations). */
const CARD_BRANDS: readonly {
  readonly brand: string;
  readonly lengths: readonly number[];
  readonly ranges: readonly (readonly [number, number, number])[]; // [prefix digits, low, high]
}[] = [
  { brand: 'Visa', lengths: [13, 16, 19], ranges: [[1, 4, 4]] },
  {
    brand: 'Mastercard',
    lengths: [16],
    ranges: [
      [2, 51, 55],
      [4, 2221, 2720],
    ],
  },
  {
    brand: 'American Express',
    lengths: [15],
    ranges: [
      [2, 34, 34],
      [2, 37, 37],
    ],
  },
  {
    brand: 'Discover',
    lengths: [16, 17, 18, 19],
    ranges: [
      [4, 6011, 6011],
      [2, 65, 65],
      [3, 644, 649],
    ],
  },
  {
    brand: 'Diners Club',
    lengths: [14, 16],
    ranges: [
      [3, 300, 305],
      [2, 36, 36],
      [2, 38, 39],
    ],
  },
  { brand: 'JCB', lengths: [16, 17, 18, 19], ranges: [[2, 35, 35]] },
  // JCB's older 15-digit numbers.
  {
    brand: 'JCB',
    lengths: [15],
    ranges: [
      [4, 1800, 1800],
      [4, 2131, 2131],
    ],
  },
  { brand: 'UnionPay', lengths: [16, 17, 18, 19], ranges: [[2, 62, 62]] },
  {
    brand: 'Maestro',
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
    ranges: [
      [4, 5018, 5018],
      [4, 5020, 5020],
      [4, 5038, 5038],
      [4, 6304, 6304],
      [4, 6759, 6759],
      [4, 6761, 6763],
      [2, 56, 58],
    ],
  },
];

/** The card brand of a digit string whose prefix and length match a brand, else undefined. */
export function cardBrand(digits: string): string | undefined {
  for (const { brand, lengths, ranges } of CARD_BRANDS) {
    if (!lengths.includes(digits.length)) continue;
    for (const [n, low, high] of ranges) {
      const prefix = Number(digits.slice(0, n));
      if (prefix >= low && prefix <= high) return brand;
    }
  }
  return undefined;
}

/** A payment card number: a known brand's prefix and length, and the Luhn check. */
export function validCard(text: string): { brand: string } | undefined {
  const digits = digitsOf(text);
  const brand = cardBrand(digits);
  if (brand === undefined || !luhnValid(digits)) return undefined;
  // One repeated digit (0000 0000 …) passes Luhn for some lengths but is never issued.
  if (/^(\d)\1+$/.test(digits)) return undefined;
  return { brand };
}

/** IBAN length per country (ISO 13616 registry, SWIFT release of the IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}; // prettier-ignore

/** An IBAN (separators allowed): registered country, its length, and ISO 7064 mod 97 = 1. */
export function validIban(text: string): { country: string } | undefined {
  const iban = text.replace(/[\s-]/g, '').toUpperCase();
  const country = iban.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined || iban.length !== length) return undefined;
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return undefined;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    // Letters count as two digits, A = 10 … Z = 35.
    const value = code >= 65 ? String(code - 55) : ch;
    for (const d of value) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1 ? { country } : undefined;
}

/** SSNs published as examples (the Woolworth wallet card, advertising) that belong to no one. */
export const SSN_SAMPLES = new Set(['078051120', '219099999', '457555462', '123456789']);

/**
 * A US Social Security number in AAA-GG-SSSS form: one separator kind throughout, area not
 * 000, 666 or 9xx, group not 00, serial not 0000, not one repeated digit. Well-known sample
 * numbers return `sample`.
 */
export function checkSsn(text: string): 'valid' | 'sample' | 'invalid' {
  const seps = text.replace(/\d/g, '');
  if (seps.length > 0 && !(seps.length === 2 && seps.startsWith(seps.charAt(1)))) return 'invalid';
  const d = digitsOf(text);
  if (d.length !== 9 || /^(\d)\1+$/.test(d)) return 'invalid';
  const area = d.slice(0, 3);
  if (area === '000' || area === '666' || area.startsWith('9')) return 'invalid';
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return 'invalid';
  return SSN_SAMPLES.has(d) ? 'sample' : 'valid';
}

/** A UK NHS number: 10 digits whose weighted sum (10 … 1) is divisible by 11. */
export function validNhs(text: string): boolean {
  const d = digitsOf(text);
  if (d.length !== 10 || /^(\d)\1+$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (d.charCodeAt(i) - 48) * (10 - i);
  return sum % 11 === 0;
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** A Spanish NIF (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter) with the mod-23 letter. */
export function checkSpanishId(text: string): 'nif' | 'nie' | undefined {
  const t = text.replace(/[\s-]/g, '').toUpperCase();
  let kind: 'nif' | 'nie';
  let number: string;
  if (/^\d{8}[A-Z]$/.test(t)) {
    kind = 'nif';
    number = t.slice(0, 8);
  } else if (/^[XYZ]\d{7}[A-Z]$/.test(t)) {
    kind = 'nie';
    number = String('XYZ'.indexOf(t[0] ?? 'X')) + t.slice(1, 8);
  } else return undefined;
  return NIF_LETTERS[Number(number) % 23] === t[8] ? kind : undefined;
}

/**
 * A German tax identification number (Steuerliche Identifikationsnummer): 11 digits, no leading
 * zero, in the first ten exactly one digit repeated (twice or three times) and the check digit
 * of ISO 7064 Mod 11,10.
 */
export function validGermanTaxId(text: string): boolean {
  const d = digitsOf(text);
  if (d.length !== 11 || d.startsWith('0')) return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++)
    counts[d.charCodeAt(i) - 48] = (counts[d.charCodeAt(i) - 48] ?? 0) + 1;
  const repeated = counts.filter((c) => c > 1);
  if (repeated.length !== 1 || (repeated[0] ?? 0) > 3) return false;
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (d.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return check === d.charCodeAt(10) - 48;
}

/** An IPv4 address in dotted-quad form with every octet 0-255 and no leading zeros. */
export function validIpv4(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
  );
}

/** An IPv6 address as Node's parser accepts it, with at least two groups written. */
export function validIpv6(text: string): boolean {
  return text.includes(':') && isIPv6(text) && text.replace(/[^:]/g, '').length >= 2;
}

/** A phone number: 8 to 15 digits (E.164 maximum) and not one repeated digit. */
export function validPhone(text: string): boolean {
  const d = digitsOf(text);
  return d.length >= 8 && d.length <= 15 && !/^(\d)\1+$/.test(d);
}

/** An email address whose domain has a dot and an alphabetic top-level label. */
export function validEmail(text: string): boolean {
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.length > 254) return false;
  const domain = text.slice(at + 1);
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  return labels.length >= 2 && /^[A-Za-z]{2,24}$/.test(tld) && labels.every((l) => l.length > 0);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Checks the CRC32 of a GitHub token in the 2021 format (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`
 * followed by 30 base62 characters and 6 base62 characters encoding the CRC32 of those 30).
 * Returns undefined for a token of another shape.
 */
export function githubTokenChecksum(token: string): boolean | undefined {
  const m = /^gh[pousr]_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/.exec(token);
  if (m === null) return undefined;
  const body = m[1] ?? '';
  let value = crc32(Buffer.from(body, 'latin1'));
  let encoded = '';
  for (let i = 0; i < 6; i++) {
    encoded = (BASE62[value % 62] ?? '0') + encoded;
    value = Math.floor(value / 62);
  }
  return encoded === m[2];
}

/** Shannon entropy of `text` in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
