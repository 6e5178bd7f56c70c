import { defineRule, type Rule } from './define-rule.js';
import type { RuleTarget } from './define-rule.js';

/**
 * The `<family>/malformed-input` rule of a format family. The engine reports through it when a
 * decoder throws FormatError: the file cannot be proven safe, so its verdict is `invalid`.
 * Dangerous content seen before the error is still reported by the family's other rules.
 */
export function defineMalformedRule(
  family: string,
  target: RuleTarget,
  what: string,
): Rule<never, 'malformed'> {
  return defineRule<never, 'malformed'>({
    id: `${family}/malformed-input`,
    title: `Malformed or over-limit ${what}`,
    target,
    severity: 'medium',
    confidence: 'high',
    policy: 'CWE-20',
    verdict: 'invalid',
    messages: { malformed: `${what} cannot be decoded ({{code}}): {{detail}}` },
    // Reported by the engine from a FormatError, never from a decoded model.
    check() {
      /* no decoded input to judge */
    },
  });
}
