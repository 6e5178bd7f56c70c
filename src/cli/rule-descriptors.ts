import type { RuleDescriptor } from '../core/rule-descriptor.js';
import { ALL_RULES } from '../rules/registry.js';

/** Every registered rule as reporters see it. */
export function ruleDescriptors(): RuleDescriptor[] {
  return ALL_RULES.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    confidence: r.confidence,
    policy: r.policy,
    docs: r.docs,
  }));
}
