// Kept apart from run-rules.ts so that the public types naming a failure (the audits' results)
// do not pull in every rule input model, and with them web-tree-sitter's declarations.

/**
 * A rule that threw while checking one input: a bug in torchward, never a finding about the
 * input. Every audit collects these into the report's `summary.internalErrors`, and the CLI then
 * prints them and exits 4.
 */
export interface RuleFailure {
  readonly ruleId: string;
  /** The uri of the unit or file the rule was checking. */
  readonly uri: string;
  readonly message: string;
}

/** A failure as one line of `summary.internalErrors`: `<uri>: rule <id>: <message>`. */
export function describeRuleFailure(failure: RuleFailure): string {
  return `${failure.uri}: rule ${failure.ruleId}: ${failure.message}`;
}
