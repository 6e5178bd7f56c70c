import type { ByteSource } from '../core/byte-source.js';
import type { FormatError } from '../core/errors.js';
import type { Finding, Verdict } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import type { RuleTarget } from '../rules/define-rule.js';
import type { RuleInputOf } from '../rules/rule-inputs.js';
import type { DecodedUnits } from './decoded-units.js';

/** Options of one scan, fixed for its whole run. */
export interface ModelScanOptions {
  readonly limits: Limits;
  /**
   * Extra globals the user declared benign (`--allow-global mod.name`, config `allow-globals`),
   * like torch's add_safe_globals. They never lift the built-in gadget blocklist.
   */
  readonly allowGlobals: readonly string[];
  /** Where to keep the top-level decodes for the loader (see DecodedUnits); usually undefined. */
  readonly keepDecoded?: DecodedUnits;
}

/** Shared budget of one top-level file: total inflated bytes and a deadline. */
export interface ScanBudget {
  inflatedBytes: number;
  /** Epoch milliseconds after which decoders stop with LIMIT_EXCEEDED. */
  readonly deadline: number;
}

/**
 * One unit under scan: the top-level file or a member at any depth. Handlers decode the unit,
 * run the rules of their target through `check`, and descend into members with `scanMember`.
 */
export interface UnitContext {
  /** Display uri: the user's path, with '!/member' per level of nesting. */
  readonly uri: string;
  /** Member chain below the top-level file ([] for the file itself). */
  readonly memberPath: readonly string[];
  /** 0 for the top-level file, +1 per container level. */
  readonly depth: number;
  readonly options: ModelScanOptions;
  readonly budget: ScanBudget;
  /**
   * Runs every registered rule of `target` over `input` and records the findings (the target's
   * rule families load on first use, hence the promise: await it before judging the unit).
   */
  check<T extends RuleTarget>(target: T, input: RuleInputOf<T>): Promise<void>;
  /** Records a finding built by a handler itself (rare; prefer rules). */
  add(finding: Finding): void;
  /**
   * Records a decoding failure as a `<family>/malformed-input` finding with verdict invalid,
   * at the error's offset.
   */
  malformed(family: string, error: FormatError): void;
  /**
   * Sniffs and scans a member of this unit. `name` is the member's name inside this container
   * (it becomes `uri + '!/' + name`). Returns the member's format and verdict. Depth beyond
   * `limits.maxDepth` is reported, never followed.
   */
  scanMember(name: string, source: ByteSource, hint?: FormatHint): Promise<MemberVerdict>;
  /**
   * Scans member `name` with `run` instead of sniffing it: for members a container must judge
   * with knowledge the dispatcher does not carry (a torch zip's data.pkl needs the archive's
   * storages). `run` gets the member's own context; `format` names it until `setFormat`.
   * Depth, time budget, member listing and error handling are as for `scanMember`.
   */
  scanWith(
    name: string,
    format: string,
    run: (ctx: UnitContext) => Promise<void> | void,
  ): Promise<MemberVerdict>;
  /** Names the detected format of this unit when a handler refines it (e.g. 'joblib'). */
  setFormat(format: string): void;
}

export interface MemberVerdict {
  readonly format: string;
  readonly verdict: Verdict;
}

/** A container's knowledge about what a member must be (a torch zip's data.pkl is a pickle). */
export type FormatHint = 'pickle' | 'npy';

/** Decodes one format. Must not throw for bad input: report through ctx instead. */
export type Handler = (ctx: UnitContext, source: ByteSource) => Promise<void>;
