import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { FormatError, limitError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import {
  isParseProblem,
  networkPoliciesOf,
  parseDeployFile,
  type DeployKind,
} from '../deploy/model.js';
import { makeFinding, type Rule } from '../rules/define-rule.js';
import { loadRulesFor } from '../rules/families.js';
import malformedInput from '../rules/deploy/malformed-input.js';
import type { RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { codeFileKind } from './code-file-kind.js';
import { applySuppressions, type WorkflowAuditConfig } from './workflow-audit.js';

/** The audit result of one deployment file. */
export interface DeployAuditResult {
  readonly uri: string;
  readonly kind: DeployKind;
  readonly text: string;
  readonly findings: Finding[];
  /** Rules that threw on this file (bugs, reported apart from findings). */
  readonly internalErrors: RuleFailure[];
}

/**
 * Audits deployment files (Kubernetes manifests, compose files, Helm values, Dockerfiles, shell
 * and SLURM scripts) with the `deploy/*` rules. NetworkPolicies are gathered from all `files`
 * first, so a policy in one manifest covers a training job in another. Suppressions work as in
 * the workflow audit. Never throws for bad input: unreadable or malformed files become
 * `deploy/malformed-input` findings.
 */
export async function auditDeployFiles(
  files: readonly { path: string; uri: string; kind: DeployKind }[],
  options: {
    limits: Limits;
    config: WorkflowAuditConfig;
    repoRoot?: string;
    /**
     * Told about ignore comments that name no deploy rule (a typo suppresses nothing). A file the
     * code audit reads too (a Dockerfile, a `.sh` script) is left to it, which knows both sets.
     */
    onWarning?: (message: string) => void;
  },
): Promise<DeployAuditResult[]> {
  const deployRules = await loadRulesFor('deploy');
  const deployIds = deployRules.map((r) => r.id);
  const parsed = files.map((file) => {
    const text = readText(file.path, options.limits.maxTextBytes);
    if (text instanceof FormatError) return { file, text: '', error: text };
    try {
      const model = parseDeployFile(file.uri, file.kind, text, options.limits);
      if (isParseProblem(model)) {
        return {
          file,
          text,
          error: new FormatError(
            'BAD_STRUCTURE',
            `${model.code}: ${model.message}`,
            model.span.start,
          ),
        };
      }
      return { file, text, model };
    } catch (error) {
      if (error instanceof FormatError) return { file, text, error };
      throw error;
    }
  });
  const policies = parsed.flatMap((p) =>
    p.model === undefined ? [] : networkPoliciesOf(p.model.documents),
  );
  const rules = deployRules.filter((r) => r.id !== malformedInput.id);
  return parsed.map(({ file, text, model, error }) => {
    const internalErrors: RuleFailure[] = [];
    let findings: Finding[];
    if (model === undefined) {
      const offset = Math.min(error.offset, text.length);
      findings = [
        makeFinding(
          malformedInput as Rule<never, 'malformed'>,
          { uri: file.uri, unit: 'char' },
          {
            messageId: 'malformed',
            data: { code: error.code, detail: error.message },
            at: { span: { start: offset, end: offset }, path: [] },
          },
        ),
      ];
    } else {
      findings = runRules(
        'deploy',
        rules,
        { ...model, networkPolicies: policies },
        { uri: file.uri, unit: 'char', options: {} },
        internalErrors,
      );
    }
    return {
      uri: file.uri,
      kind: file.kind,
      text,
      findings: applySuppressions(
        findings,
        file,
        text,
        [],
        options.config,
        options.repoRoot,
        options.onWarning === undefined || codeFileKind(file.uri) !== undefined
          ? undefined
          : { onWarning: options.onWarning, what: 'deploy rule', ids: deployIds },
      ),
      internalErrors,
    };
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a regular file of at most `max` bytes as strict UTF-8 (a BOM is dropped). */
function readText(path: string, max: number): string | FormatError {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then refuses it).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return new FormatError('TRUNCATED', error instanceof Error ? error.message : String(error), 0);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return new FormatError('BAD_STRUCTURE', 'not a regular file', 0);
    const tooLarge = limitError(info.size, max, 'maxTextBytes', 0);
    if (tooLarge !== undefined) return tooLarge;
    const buffer = Buffer.alloc(info.size);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    try {
      return UTF8.decode(buffer.subarray(0, length));
    } catch {
      return new FormatError('BAD_UTF8', 'the file is not valid UTF-8', 0);
    }
  } finally {
    closeSync(fd);
  }
}
