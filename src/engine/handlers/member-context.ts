import type { FormatError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { makeFinding, runRules, type Rule, type RuleTarget } from '../../rules/define-rule.js';
import { ruleById, rulesFor } from '../../rules/registry.js';
import type { PickleScanContext } from './pickle-contract.js';
import { scanPickleBytes } from './pickle.js';
import type { UnitContext } from '../unit.js';

/**
 * A context for member `name` of `parent` built from the parent's public API, for members a
 * container must judge with knowledge the dispatcher does not carry (a torch zip's data.pkl needs
 * the storages of the archive). Findings get the member's own uri (`parent!/name`) and go through
 * `parent.add`, so they count toward the file's verdict. The member is not listed among the
 * file's scanned members, and a rule bug is reported as model/internal-error without the
 * engine's exit-code bookkeeping.
 * TODO(#2): replace with an engine-provided `scanMember(name, source, hint, pickleContext)`.
 */
export function memberContext(parent: UnitContext, name: string): UnitContext {
  const uri = `${parent.uri}!/${name}`;
  const memberPath = [...parent.memberPath, name];
  const engineFinding = (
    ruleId: string,
    messageId: string,
    data: Record<string, string | number>,
    at: number,
  ): void => {
    const rule = ruleById(ruleId) ?? ruleById('model/malformed-input');
    if (rule === undefined) return;
    parent.add(
      makeFinding(
        rule,
        { uri, unit: 'byte' },
        { messageId, data, at: { span: { start: at, end: at } } },
      ),
    );
  };
  return {
    uri,
    memberPath,
    depth: parent.depth + 1,
    options: parent.options,
    budget: parent.budget,
    check(target: RuleTarget, input: unknown) {
      const found = runRules(
        rulesFor(target) as readonly Rule<unknown>[],
        input,
        { uri, unit: 'byte', options: { allowGlobals: parent.options.allowGlobals } },
        (ruleId, error) => {
          engineFinding(
            'model/internal-error',
            'internal',
            { where: `rule ${ruleId}`, detail: String(error) },
            0,
          );
        },
      );
      for (const f of found) parent.add(f);
    },
    add(finding: Finding) {
      parent.add(finding);
    },
    malformed(family: string, error: FormatError) {
      const id = ruleById(`${family}/malformed-input`)
        ? `${family}/malformed-input`
        : 'model/malformed-input';
      engineFinding(id, 'malformed', { code: error.code, detail: error.message }, error.offset);
    },
    scanMember(inner, source, hint) {
      return parent.scanMember(`${name}!/${inner}`, source, hint);
    },
    setFormat() {
      /* the member's format is implied by the container */
    },
  };
}

/** Scans `bytes`, member `name` of `parent`, as a pickle with the container's context. */
export function scanPickleMember(
  parent: UnitContext,
  name: string,
  bytes: Uint8Array,
  pctx: PickleScanContext,
): void {
  scanPickleBytes(memberContext(parent, name), bytes, pctx);
}
