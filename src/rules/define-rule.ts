import type { Confidence, Finding, Location, Severity, Span, Verdict } from '../core/finding.js';

/** What a rule reads: each target names one decoded input model. */
export type RuleTarget =
  | 'pickle'
  | 'archive'
  | 'torch'
  | 'torchscript'
  | 'safetensors'
  | 'npy'
  | 'gguf'
  | 'onnx'
  | 'keras'
  | 'tensorflow'
  | 'repository'
  | 'workflow'
  | 'deploy'
  | 'code'
  | 'provenance'
  | 'github'
  | 'input'
  | 'privacy';

/** Peer-tool rule ids a rule corresponds to (audit names as the tool spells them). */
export interface RuleEquivalents {
  readonly zizmor?: readonly string[];
}

/** Where a report points: a span in the current unit, optionally in another uri or unit. */
export interface ReportAt {
  readonly span: Span;
  readonly path?: readonly (string | number)[];
  readonly uri?: string;
  readonly unit?: 'char' | 'byte';
  readonly label?: string;
  /** 1-based line, when the engine keeps no text to compute it from (Location.line). */
  readonly line?: number;
}

export interface ReportInput<M extends string> {
  readonly messageId: M;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly at: ReportAt;
  readonly related?: readonly ReportAt[];
  /** Overrides the rule's default severity for this report (e.g. a gadget's own impact). */
  readonly severity?: Severity;
  /** Overrides the rule's default verdict for this report. */
  readonly verdict?: Verdict;
  /** Overrides the rule's default confidence for this report (context words, checksums, evidence). */
  readonly confidence?: Confidence;
  /** The kind of sensitive value (privacy findings). */
  readonly entity?: string;
  /** A noisier, code-smell report, shown only in pedantic mode (workflow audit `--pedantic`). */
  readonly pedantic?: boolean;
}

/** Everything a rule may touch: no I/O, clock or module state. */
export interface RuleContext<M extends string = string> {
  /** The uri of the unit being checked ('model.zip!/archive/data.pkl'). */
  readonly uri: string;
  readonly unit: 'char' | 'byte';
  /** Rule options from the configuration (allowlists, runner labels …). */
  readonly options: Readonly<Record<string, unknown>>;
  report(input: ReportInput<M>): void;
}

export interface RuleSpec<T, M extends string> {
  /** `<family>/<rule-name>`, the same as the file path under src/rules/ and docs/rules/. */
  readonly id: string;
  readonly title: string;
  readonly target: RuleTarget;
  readonly severity: Severity;
  readonly confidence: Confidence;
  /** The requirement it enforces: a CWE, an OpenSSF/SLSA control, or a policy clause. */
  readonly policy: string;
  /** The verdict its findings force on a model artifact; omit for audit rules. */
  readonly verdict?: Verdict;
  /**
   * The same check in peer tools, by tool: `{ zizmor: ['template-injection'] }`. An empty list
   * says the tool has no equivalent; omitted means nobody has compared.
   */
  readonly equivalents?: RuleEquivalents;
  /**
   * A code-smell check that runs only when pedantic findings are asked for (`scan --pedantic`),
   * as zizmor's pedantic persona. Rules may also keep single reports for pedantic runs by reading
   * `ctx.options.pedantic`.
   */
  readonly pedantic?: boolean;
  readonly messages: Readonly<Record<M, string>>;
  check(ctx: RuleContext<M>, input: T): void;
}

export interface Rule<T = never, M extends string = string> extends RuleSpec<T, M> {
  /** Repository-relative path of the rule's documentation. */
  readonly docs: string;
}

/** Declares a rule; `docs` is derived from the id. */
export function defineRule<T, M extends string>(spec: RuleSpec<T, M>): Rule<T, M> {
  return Object.freeze({ ...spec, docs: `docs/rules/${spec.id}.md` });
}

/** Replaces `{{name}}` placeholders with `data` values; unknown names stay visible. */
export function formatMessage(
  template: string,
  data: Readonly<Record<string, string | number>> | undefined,
): string {
  // Templates are few and reports many: each template is split once into literal text and
  // placeholder names (odd indexes), then joined per report.
  let parts = TEMPLATES.get(template);
  if (parts === undefined) {
    parts = template.split(/\{\{(\w+)\}\}/);
    TEMPLATES.set(template, parts);
  }
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] ?? '';
    const value = data?.[name];
    out += (value === undefined ? `{{${name}}}` : String(value)) + (parts[i + 1] ?? '');
  }
  return out;
}

const TEMPLATES = new Map<string, readonly string[]>();

/** Turns a report into a Finding for the rule, filling the location from the context. */
export function makeFinding<M extends string>(
  rule: Pick<Rule<never, M>, 'id' | 'messages' | 'severity' | 'confidence' | 'verdict'>,
  ctx: Pick<RuleContext, 'uri' | 'unit'>,
  input: ReportInput<M>,
): Finding {
  const toLocation = (at: ReportAt): Location => ({
    uri: at.uri ?? ctx.uri,
    unit: at.unit ?? ctx.unit,
    span: at.span,
    path: at.path ?? [],
    ...(at.label === undefined ? {} : { label: at.label }),
    ...(at.line === undefined ? {} : { line: at.line }),
  });
  const verdict = input.verdict ?? rule.verdict;
  return {
    ruleId: rule.id,
    messageId: input.messageId,
    message: formatMessage(rule.messages[input.messageId], input.data),
    severity: input.severity ?? rule.severity,
    confidence: input.confidence ?? rule.confidence,
    ...(input.entity === undefined ? {} : { entity: input.entity }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(input.pedantic === true ? { pedantic: true as const } : {}),
    primary: toLocation(input.at),
    related: (input.related ?? []).map(toLocation),
  };
}
