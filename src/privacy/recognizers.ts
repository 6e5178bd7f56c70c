import type { Confidence } from '../core/finding.js';
import {
  checkSpanishId,
  checkSsn,
  digitsOf,
  validCard,
  validEmail,
  validGermanTaxId,
  validIban,
  validIpv4,
  validIpv6,
  validNhs,
  validPhone,
} from './validators.js';

/** What a validator says about one candidate match. */
export interface Verdict {
  /** Base confidence before context words; undefined rejects the candidate. */
  readonly confidence: Confidence | undefined;
  /** A published example or documentation value (reported as info, never as a leak). */
  readonly example?: boolean;
  /** Extra facts for the message (card brand, IBAN country). */
  readonly detail?: string;
  /** The value is only the first `length` characters of the match. */
  readonly length?: number;
}

/**
 * A pattern recogniser: a linear-time candidate pattern, a validator, and context words. The
 * table is data; the detector (detect.ts) runs every entry over each value.
 */
export interface Recognizer {
  /** The rule name under `privacy/` (`credit-card`). */
  readonly entity: string;
  /** Global, linear-time pattern; its whole match is the candidate. */
  readonly pattern: RegExp;
  readonly validate: (match: string) => Verdict;
  /** Lower-case words that, before the match or in the column name, raise the confidence. */
  readonly context: readonly string[];
  /** When true, a candidate without a context word is dropped. */
  readonly needsContext: boolean;
  /** Overlapping candidates keep the recogniser with the higher priority. */
  readonly priority: number;
}

const REJECT: Verdict = { confidence: undefined };

// Published test and documentation values: the payment networks' test cards, the IBAN
// registry's examples, AWS documentation keys and the like. Reported as `example`, info only.
const EXAMPLE_CARDS = new Set([
  '4111111111111111', '4242424242424242', '4012888888881881', '4000056655665556',
  '4222222222222', '5555555555554444', '5105105105105100', '5200828282828210',
  '2223003122003222', '378282246310005', '371449635398431', '378734493671000',
  '6011111111111117', '6011000990139424', '3530111333300000', '3566002020360505',
  '30569309025904', '38520000023237', '36227206271667', '6200000000000005',
]); // prettier-ignore
const EXAMPLE_IBANS = new Set([
  'GB82WEST12345698765432', 'GB29NWBK60161331926819', 'DE89370400440532013000',
  'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'ES9121000418450200051332',
  'CH9300762011623852957', 'IT60X0542811101000000123456', 'BE68539007547034',
]); // prettier-ignore
const EXAMPLE_EMAIL_DOMAIN =
  /(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$/i;

/** The pattern recognisers, in priority order (checksum-validated entities first). */
export const RECOGNIZERS: readonly Recognizer[] = [
  {
    entity: 'credit-card',
    pattern: /(?<![\d-])[2-6]\d{3}(?:[ -]?\d){8,15}(?![\d-])|(?<![\d-])1800\d{11}(?!\d)/g,
    validate(match: string): Verdict {
      const card = validCard(match);
      if (card === undefined) return REJECT;
      return {
        confidence: 'high',
        detail: card.brand,
        example: EXAMPLE_CARDS.has(digitsOf(match)),
      };
    },
    context: ['card', 'credit', 'visa', 'mastercard', 'amex', 'cc', 'payment', 'pan'],
    needsContext: false,
    priority: 90,
  },
  {
    entity: 'iban',
    pattern: /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}(?![A-Za-z0-9])/g,
    validate(match: string): Verdict {
      // The pattern may run on into the next word ("GB82 WEST … 32 and"): try the longest
      // prefix that ends at a space and validates.
      const parts = match.split(' ');
      for (let k = parts.length; k >= 1; k--) {
        const candidate = parts.slice(0, k).join(' ');
        const iban = validIban(candidate);
        if (iban === undefined) continue;
        const compact = candidate.replace(/\s/g, '').toUpperCase();
        return {
          confidence: 'high',
          detail: iban.country,
          example: EXAMPLE_IBANS.has(compact),
          ...(k < parts.length ? { length: candidate.length } : {}),
        };
      }
      return REJECT;
    },
    context: ['iban', 'account', 'bank', 'konto', 'cuenta'],
    needsContext: false,
    priority: 85,
  },
  {
    entity: 'us-ssn',
    pattern: /(?<![\d-])\d{3}([- ]?)\d{2}\1\d{4}(?![\d-])/g,
    validate(match: string): Verdict {
      const result = checkSsn(match);
      if (result === 'invalid') return REJECT;
      // Nine bare digits are any number; only separated ones are SSN-shaped on their own.
      const separated = /\D/.test(match);
      return { confidence: separated ? 'medium' : 'low', example: result === 'sample' };
    },
    context: ['ssn', 'social security', 'social', 'security number', 'ss#', 'ssa'],
    needsContext: false,
    priority: 80,
  },
  {
    entity: 'uk-nhs',
    pattern: /(?<!\d)\d{3}([ -]?)\d{3}\1\d{4}(?!\d)/g,
    validate: (match: string): Verdict => (validNhs(match) ? { confidence: 'medium' } : REJECT),
    context: ['nhs', 'national health', 'patient', 'health service'],
    // One random ten-digit number in eleven passes the check: a number alone proves nothing.
    needsContext: true,
    priority: 75,
  },
  {
    entity: 'es-nif',
    pattern: /(?<![A-Za-z0-9])[XYZxyz]?\d{7,8}-?[A-Za-z](?![A-Za-z0-9])/g,
    validate(match: string): Verdict {
      const kind = checkSpanishId(match);
      return kind === undefined ? REJECT : { confidence: 'medium', detail: kind.toUpperCase() };
    },
    context: ['nif', 'nie', 'dni', 'documento', 'identidad', 'extranjero'],
    needsContext: false,
    priority: 70,
  },
  {
    entity: 'de-tax-id',
    pattern: /(?<!\d)[1-9]\d(?: ?\d{3}){3}(?!\d)/g,
    validate: (match: string): Verdict =>
      validGermanTaxId(match) ? { confidence: 'medium' } : REJECT,
    context: ['steuer', 'steuerid', 'steuer-id', 'idnr', 'identifikationsnummer', 'tax id', 'tin'],
    needsContext: true,
    priority: 65,
  },
  {
    entity: 'email',
    pattern: /(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g,
    validate(match: string): Verdict {
      if (!validEmail(match)) return REJECT;
      const domain = match.slice(match.lastIndexOf('@') + 1);
      return { confidence: 'high', example: EXAMPLE_EMAIL_DOMAIN.test(domain) };
    },
    context: ['email', 'e-mail', 'mail', 'contact'],
    needsContext: false,
    priority: 60,
  },
  {
    entity: 'ip-address',
    pattern:
      /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:|:)(?::|:?[0-9A-Fa-f]{1,4}){1,7}(?![\w:])/g,
    validate(match: string): Verdict {
      if (validIpv4(match)) {
        const [a, b, c] = match.split('.').map(Number);
        // Loopback, unspecified and the documentation ranges (RFC 5737) identify no one.
        const example =
          a === 127 ||
          a === 0 ||
          (a === 192 && b === 0 && c === 2) ||
          (a === 198 && b === 51 && c === 100) ||
          (a === 203 && b === 0 && c === 113);
        return { confidence: 'medium', example };
      }
      if (validIpv6(match) && digitsOf(match.replace(/[a-f]/gi, '0')).length >= 4) {
        const lower = match.toLowerCase();
        return { confidence: 'medium', example: lower === '::1' || lower.startsWith('2001:db8:') };
      }
      return REJECT;
    },
    context: ['ip', 'address', 'host', 'client', 'remote', 'addr'],
    needsContext: false,
    priority: 50,
  },
  {
    entity: 'date-of-birth',
    pattern:
      /(?<!\d)(?:(?:19|20)\d{2}-[01]\d-[0-3]\d|[0-3]?\d[/.][01]?\d[/.](?:19|20)\d{2})(?!\d)|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? [0-3]?\d,? (?:19|20)\d{2}\b|\b[0-3]?\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? (?:19|20)\d{2}\b/g,
    validate: (): Verdict => ({ confidence: 'medium' }),
    context: ['born', 'birth', 'dob', 'd.o.b', 'birthday', 'geboren', 'nacimiento', 'naissance'],
    // A date alone is an event; next to a birth word (or in a birth column) it is a person's.
    needsContext: true,
    priority: 40,
  },
  {
    entity: 'phone',
    pattern:
      /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,8}){1,4}(?:x\d{1,5})?(?![\w-])|(?<![\w+])\+\d{8,15}(?!\w)/g,
    validate(match: string): Verdict {
      // An extension (x123) is part of the number but not of its digit count.
      if (!validPhone(match.replace(/x\d+$/, ''))) return REJECT;
      // Shapes that are also dates, IPs or versions are not phones without a context word.
      if (/^\d{4}-\d{2}-\d{2}|^\d{1,3}(?:\.\d{1,3}){3}$/.test(match)) return REJECT;
      const shaped =
        match.startsWith('+') || match.includes('(') || /^\d{3}-\d{3}-\d{4}$/.test(match);
      const example = /(?:^|\D)555[ .-]?01\d\d$/.test(match);
      return { confidence: shaped ? 'medium' : 'low', example };
    },
    context: ['phone', 'tel', 'telephone', 'mobile', 'cell', 'call', 'fax', 'whatsapp', 'contact'],
    needsContext: false,
    priority: 30,
  },
];

/** The rule names of the pattern recognisers. */
export const PII_ENTITIES: readonly string[] = RECOGNIZERS.map((r) => r.entity);
