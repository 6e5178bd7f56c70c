import type { Severity } from '../../core/finding.js';
import { defineRule, type ReportAt, type Rule } from '../define-rule.js';
import type { LocatedHit } from '../../privacy/scan-file.js';
import type { PrivacyInput } from './input.js';

/** What differs between the `privacy/<entity>` rules: the rest is one shared shape. */
export interface EntityRuleSpec {
  /** Rule name under `privacy/` and the entity the detector reports (`credit-card`). */
  readonly entity: string;
  readonly title: string;
  /** The value in words, for messages (`payment card number`). */
  readonly what: string;
  readonly severity: Severity;
  readonly policy: string;
}

/** Where a hit is, in words: line or record, and column. */
export function hitWhere(hit: Pick<LocatedHit, 'line' | 'record' | 'column'>): string {
  const parts: string[] = [];
  if (hit.record !== undefined && (hit.line === undefined || hit.column !== undefined))
    parts.push(hit.record === 0 ? 'header' : `record ${hit.record}`);
  else if (hit.line !== undefined) parts.push(`line ${hit.line}`);
  if (hit.column !== undefined) parts.push(`column ${hit.column}`);
  return parts.length === 0 ? 'the file' : parts.join(', ');
}

/** The report location of a hit: its line and span in the line, or its byte offset. */
export function hitAt(hit: LocatedHit): ReportAt {
  const path: (string | number)[] = [];
  if (hit.record !== undefined) path.push(hit.record);
  if (hit.column !== undefined) path.push(hit.column);
  if (hit.byteOffset !== undefined)
    return {
      span: { start: hit.byteOffset, end: hit.byteOffset },
      unit: 'byte',
      path,
      label: hitWhere(hit),
    };
  const start = hit.offset ?? 0;
  return {
    span: { start, end: hit.offset === undefined ? start : start + hit.length },
    unit: 'char',
    path,
    label: hitWhere(hit),
    ...(hit.line === undefined ? {} : { line: hit.line }),
  };
}

/**
 * Defines a `privacy/<entity>` rule: it reports each located hit of its entity with the value
 * masked, and published example values as info.
 */
export function defineEntityRule(spec: EntityRuleSpec): Rule<PrivacyInput, 'found' | 'example'> {
  return defineRule<PrivacyInput, 'found' | 'example'>({
    id: `privacy/${spec.entity}`,
    title: spec.title,
    target: 'privacy',
    severity: spec.severity,
    confidence: 'medium',
    policy: spec.policy,
    messages: {
      found: `${spec.what} {{masked}}{{detail}} in {{where}}`,
      example: `published example ${spec.what} {{masked}}{{detail}} in {{where}} (not a leak)`,
    },
    check(ctx, input) {
      for (const hit of input.hits) {
        if (hit.entity !== spec.entity) continue;
        ctx.report({
          messageId: hit.example ? 'example' : 'found',
          data: {
            masked: hit.masked,
            detail: hit.detail === undefined ? '' : ` (${hit.detail})`,
            where: hitWhere(hit),
          },
          at: hitAt(hit),
          confidence: hit.confidence,
          entity: spec.entity,
          ...(hit.example ? { severity: 'info' as const } : {}),
        });
      }
    },
  });
}
