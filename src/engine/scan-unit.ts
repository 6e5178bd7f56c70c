import type { ByteSource } from '../core/byte-source.js';
import { FormatError } from '../core/errors.js';
import { worseVerdict, type Finding, type Verdict } from '../core/finding.js';
import { SNIFF_BYTES, sniffFormat, type FormatId } from '../formats/sniff.js';
import { makeFinding, type ReportInput, type Rule, type RuleTarget } from '../rules/define-rule.js';
import { ENGINE_RULES, loadRulesFor } from '../rules/families.js';
import type { RuleInputOf } from '../rules/rule-inputs.js';
import { describeRuleFailure, type RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { HANDLERS } from './handlers/index.js';
import type { MemberResult } from './result.js';
import type {
  FormatHint,
  MemberVerdict,
  ModelScanOptions,
  ScanBudget,
  UnitContext,
} from './unit.js';

/** Sniffs content as a pickle; provided by the pickle format once it is registered. */
export type PickleSniffer = (head: Uint8Array) => boolean;

/** Mutable state shared by every unit of one top-level file. */
export interface FileScanState {
  readonly options: ModelScanOptions;
  readonly budget: ScanBudget;
  readonly findings: Finding[];
  readonly members: MemberResult[];
  readonly internalErrors: string[];
  readonly looksLikePickle: PickleSniffer;
  /** Whether an unrecognised top-level file is an error (named by the user) or skipped. */
  readonly strictUnknown: boolean;
}

/** The outcome of dispatching one unit. */
export interface UnitOutcome {
  readonly format: string;
  readonly verdict: Verdict;
  /** True when the unit matched no known format. */
  readonly unknown: boolean;
}

const ENGINE_RULE = (id: string): Rule => {
  const rule = ENGINE_RULES.byId(id);
  if (rule === undefined) throw new Error(`engine rule ${id} is not registered`);
  return rule;
};

/** Adds a finding from an engine-reported rule (malformed input, unknown format …). */
export function reportEngineRule(
  state: FileScanState,
  ruleId: string,
  uri: string,
  input: ReportInput<string>,
): void {
  state.findings.push(makeFinding(ENGINE_RULE(ruleId), { uri, unit: 'byte' }, input));
}

/**
 * Sniffs and scans one unit (the top-level file or a member) and every unit inside it.
 * Never throws for bad input: decoding failures and handler bugs become findings.
 */
export async function scanUnit(
  state: FileScanState,
  uri: string,
  memberPath: readonly string[],
  depth: number,
  source: ByteSource,
  hint?: FormatHint,
): Promise<UnitOutcome> {
  const firstFinding = state.findings.length;
  let id: FormatId;
  try {
    const head = await source.read(0, SNIFF_BYTES);
    id = hint ?? sniffFormat(head, source.size, state.looksLikePickle);
  } catch (error) {
    reportEngineRule(state, 'model/internal-error', uri, {
      messageId: 'internal',
      data: { where: 'reading', detail: String(error) },
      at: { span: { start: 0, end: 0 } },
    });
    return { format: 'unreadable', verdict: 'invalid', unknown: false };
  }
  // Past maxDepth only single-stream wrappers and pickles are still read (bounded by the file's
  // inflate budget and OPEN_PAST_LIMIT levels): seven gzip layers around a pickle still show
  // the pickle's globals. Archives there stay unopened; the boundary finding says so.
  if (depth > state.options.limits.maxDepth && !PAST_LIMIT_FORMATS.has(id)) {
    return { format: 'unopened', verdict: 'suspicious', unknown: false };
  }
  const handler = HANDLERS[id];
  if (handler === undefined) {
    if (depth > 0 || state.strictUnknown) {
      reportEngineRule(state, 'model/unknown-format', uri, {
        messageId: 'unknown',
        data: { hint: id === 'unknown' ? 'no known signature' : `${id} is not supported yet` },
        at: { span: { start: 0, end: Math.min(source.size, 16) } },
      });
    }
    return { format: id, verdict: verdictSince(state, firstFinding), unknown: true };
  }
  return runUnit(state, uri, memberPath, depth, id, (ctx) => handler(ctx, source));
}

/** Formats still read past maxDepth: one stream in, one payload out, nothing else to open. */
const PAST_LIMIT_FORMATS: ReadonlySet<FormatId> = new Set<FormatId>([
  'gzip',
  'bz2',
  'xz',
  'lzma',
  'zlib',
  'lz4',
  'joblib-zf',
  'pickle',
]);

/** Levels past maxDepth that single-stream wrappers are still peeled (a gzip quine stops here). */
const OPEN_PAST_LIMIT = 16;

/** Format ids whose decoding failures belong to another rule family than their own name. */
const FAMILY_OF: Partial<Record<string, string>> = {
  zip: 'archive',
  tar: 'archive',
  gzip: 'archive',
  bz2: 'archive',
  xz: 'archive',
  lzma: 'archive',
  zlib: 'archive',
  lz4: 'archive',
  zstd: 'archive',
  '7z': 'archive',
  'joblib-zf': 'archive',
  npy: 'numpy',
  hdf5: 'keras',
  'tf-savedmodel': 'tensorflow',
};

/**
 * Runs `run` as the unit `uri` in a fresh context: its findings, format and verdict are the
 * unit's, a FormatError it throws becomes the family's malformed-input finding, and any other
 * exception is an internal error (a bug), never an escape.
 */
async function runUnit(
  state: FileScanState,
  uri: string,
  memberPath: readonly string[],
  depth: number,
  initialFormat: string,
  run: (ctx: UnitContext) => Promise<void> | void,
): Promise<UnitOutcome> {
  const firstFinding = state.findings.length;
  let format = initialFormat;
  const ctx = makeContext(state, uri, memberPath, depth, (f) => {
    format = f;
  });
  try {
    await run(ctx);
  } catch (error) {
    if (error instanceof FormatError) {
      ctx.malformed(FAMILY_OF[initialFormat] ?? initialFormat, error);
    } else {
      state.internalErrors.push(`${uri}: ${initialFormat} handler: ${String(error)}`);
      reportEngineRule(state, 'model/internal-error', uri, {
        messageId: 'internal',
        data: { where: `the ${initialFormat} handler`, detail: String(error) },
        at: { span: { start: 0, end: 0 } },
      });
    }
  }
  return { format, verdict: verdictSince(state, firstFinding), unknown: false };
}

/** The worst unsuppressed verdict among findings added since index `first`. */
function verdictSince(state: FileScanState, first: number): Verdict {
  let verdict: Verdict = 'safe';
  for (let i = first; i < state.findings.length; i++) {
    const f = state.findings[i];
    if (f?.verdict !== undefined && f.suppressed === undefined) {
      verdict = worseVerdict(verdict, f.verdict);
    }
  }
  return verdict;
}

function makeContext(
  state: FileScanState,
  uri: string,
  memberPath: readonly string[],
  depth: number,
  setFormat: (format: string) => void,
): UnitContext {
  /** Depth and time checks, then the member's own unit, recorded among the file's members. */
  const descend = async (
    name: string,
    scan: (childUri: string, childPath: readonly string[]) => Promise<UnitOutcome>,
  ): Promise<MemberVerdict> => {
    const childUri = `${uri}!/${name}`;
    const childPath = [...memberPath, name];
    const maxDepth = state.options.limits.maxDepth;
    if (depth + 1 > maxDepth) {
      // Reported once, at the first level past the limit; what lies below is still read where
      // it is a wrapper or a pickle (see scanUnit), so the limit hides no payload.
      if (depth === maxDepth) {
        reportEngineRule(state, 'model/nesting-too-deep', childUri, {
          messageId: 'deep',
          data: { depth: depth + 1, limit: maxDepth },
          at: { span: { start: 0, end: 0 }, path: childPath },
        });
      }
      if (depth + 1 > maxDepth + OPEN_PAST_LIMIT)
        return { format: 'unopened', verdict: 'suspicious' };
    }
    if (Date.now() > state.budget.deadline) {
      ctxTimeout(state, childUri);
      return { format: 'unopened', verdict: 'invalid' };
    }
    const outcome = await scan(childUri, childPath);
    state.members.push({
      member: childPath.join('!/'),
      format: outcome.format,
      verdict: outcome.verdict,
    });
    return { format: outcome.format, verdict: outcome.verdict };
  };
  return {
    uri,
    memberPath,
    depth,
    options: state.options,
    budget: state.budget,
    async check<T extends RuleTarget>(target: T, input: RuleInputOf<T>) {
      const failures: RuleFailure[] = [];
      const found = runRules(
        target,
        await loadRulesFor(target),
        input,
        { uri, unit: 'byte', options: { allowGlobals: state.options.allowGlobals } },
        failures,
      );
      state.findings.push(...found);
      for (const failure of failures) {
        state.internalErrors.push(describeRuleFailure(failure));
        // The rule did not judge this unit, so it is not proven safe: model/internal-error gives
        // the unit its `invalid` verdict (the bug itself is the internal error above, exit 4).
        reportEngineRule(state, 'model/internal-error', uri, {
          messageId: 'internal',
          data: { where: `rule ${failure.ruleId}`, detail: failure.message },
          at: { span: { start: 0, end: 0 } },
        });
      }
    },
    add(finding: Finding) {
      state.findings.push(finding);
    },
    malformed(family: string, error: FormatError) {
      const ruleId = ENGINE_RULES.byId(`${family}/malformed-input`)
        ? `${family}/malformed-input`
        : 'model/malformed-input';
      reportEngineRule(state, ruleId, uri, {
        messageId: 'malformed',
        data: { code: error.code, detail: error.message },
        at: { span: { start: error.offset, end: error.offset } },
      });
    },
    async scanMember(name: string, source: ByteSource, hint?: FormatHint): Promise<MemberVerdict> {
      return descend(name, (childUri, childPath) =>
        scanUnit(state, childUri, childPath, depth + 1, source, hint),
      );
    },
    async scanWith(
      name: string,
      format: string,
      run: (ctx: UnitContext) => Promise<void> | void,
    ): Promise<MemberVerdict> {
      return descend(name, (childUri, childPath) =>
        runUnit(state, childUri, childPath, depth + 1, format, run),
      );
    },
    setFormat,
  };
}

function ctxTimeout(state: FileScanState, uri: string): void {
  reportEngineRule(state, 'model/malformed-input', uri, {
    messageId: 'malformed',
    data: { code: 'LIMIT_EXCEEDED', detail: 'the time budget for this file ran out' },
    at: { span: { start: 0, end: 0 } },
  });
}
