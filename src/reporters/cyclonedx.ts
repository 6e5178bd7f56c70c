import type { Finding, Severity } from '../core/finding.js';
import type { ReportFile, ReportInput } from './report-model.js';

/** What the model card of one artifact says, gathered from its folder's config.json and README. */
export interface ModelCardFacts {
  readonly task?: string;
  readonly architectureFamily?: string;
  readonly modelArchitecture?: string;
  readonly datasets?: readonly string[];
  readonly license?: string;
  readonly libraryName?: string;
  readonly baseModel?: string;
  /** Which files the facts came from ('config.json', 'README.md'). */
  readonly from: readonly string[];
}

/** A Python dependency declared in a requirements file. */
export interface DeclaredDependency {
  /** Normalised project name. */
  readonly name: string;
  /** The version when pinned exactly (`==1.2.3`). */
  readonly version?: string;
  /** The specifier as written (`>=2.6`), '' for none. */
  readonly specifier: string;
  /** The file that declares it. */
  readonly declaredIn: string;
}

/** Inputs of the CycloneDX rendering beyond the report. */
export interface CycloneDxInput {
  /** SHA-256 per file path (as the report names files). */
  readonly hashes: ReadonlyMap<string, string>;
  /** Model-card facts per artifact path. */
  readonly cards: ReadonlyMap<string, ModelCardFacts>;
  readonly dependencies: readonly DeclaredDependency[];
  /** `urn:uuid:…` of this BOM. */
  readonly serialNumber: string;
  /** ISO 8601 time of the scan. */
  readonly timestamp: string;
  /** The subject of the BOM (a Hub repository, the scanned folder). */
  readonly subject: {
    readonly name: string;
    readonly version?: string;
    readonly purl?: string;
  };
}

/** Formats of model artifacts (the file itself, not text audited beside it). */
const NOT_MODELS = new Set(['config', 'python', 'chat-template', 'unscanned', 'unreadable']);

/** The framework that writes (and loads) a format, for the component's properties. */
function frameworkOf(format: string): string | undefined {
  if (/^torch|^pickle|^pt2/.test(format)) return 'pytorch';
  if (format === 'safetensors') return 'safetensors';
  if (format === 'gguf' || format === 'ggml') return 'ggml';
  if (format === 'onnx') return 'onnx';
  if (/keras|hdf5/.test(format)) return 'keras';
  if (/^tf|tensorflow/.test(format)) return 'tensorflow';
  if (/npy|npz|numpy/.test(format)) return 'numpy';
  if (format.includes('joblib')) return 'joblib';
  return undefined;
}

/** True when a report entry is a model artifact (one component of type machine-learning-model). */
export function isModelArtifact(file: ReportFile): boolean {
  return file.verdict !== null && !NOT_MODELS.has(file.format);
}

const RATING: Record<Severity, string> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  info: 'info',
};

/**
 * Renders a scan as a CycloneDX 1.6 JSON ML-BOM: one `machine-learning-model` component per
 * model artifact (SHA-256, format, framework, verdict, a model card where its folder has a
 * config.json or README), a `file` component for each other file with findings, the Python
 * dependencies the requirements files declare (as `library` components the subject depends on),
 * and every unsuppressed finding as a vulnerability that affects its file's component.
 */
export function renderCycloneDx(report: ReportInput, input: CycloneDxInput): string {
  const components: object[] = [];
  const refOf = new Map<string, string>();
  const hub = report.hub;
  for (const file of report.files) {
    const model = isModelArtifact(file);
    const unsuppressed = file.findings.filter((f) => f.suppressed === undefined);
    if (!model && unsuppressed.length === 0) continue;
    const ref = `file:${file.path}`;
    refOf.set(file.path, ref);
    const hash = input.hashes.get(file.path);
    const origin = file.hub;
    const properties = [
      { name: 'torchward:path', value: file.path },
      { name: 'torchward:format', value: file.format },
      { name: 'torchward:verdict', value: file.verdict ?? 'audited' },
      ...optionalProperty('torchward:framework', model ? frameworkOf(file.format) : undefined),
      ...(origin === undefined
        ? []
        : [
            { name: 'huggingface:repo', value: origin.repo },
            { name: 'huggingface:repoType', value: origin.type },
            { name: 'huggingface:revision', value: origin.revision },
            { name: 'huggingface:file', value: origin.file },
            { name: 'torchward:read', value: origin.read },
          ]),
    ];
    const card = model ? input.cards.get(file.path) : undefined;
    components.push({
      type: model ? 'machine-learning-model' : 'file',
      'bom-ref': ref,
      name: origin?.file ?? file.path,
      ...(origin === undefined ? {} : { version: origin.revision }),
      ...(hash === undefined ? {} : { hashes: [{ alg: 'SHA-256', content: hash }] }),
      ...(card === undefined ? {} : { modelCard: modelCard(card) }),
      properties,
    });
  }
  // Dependencies: one library component per declared project (the first declaration wins).
  const libraries = new Map<string, DeclaredDependency>();
  for (const d of input.dependencies) if (!libraries.has(d.name)) libraries.set(d.name, d);
  for (const d of libraries.values()) {
    components.push({
      type: 'library',
      'bom-ref': `pypi:${d.name}`,
      name: d.name,
      ...(d.version === undefined ? {} : { version: d.version }),
      purl: `pkg:pypi/${encodeURIComponent(d.name)}${d.version === undefined ? '' : `@${encodeURIComponent(d.version)}`}`,
      properties: [
        { name: 'torchward:declaredIn', value: d.declaredIn },
        ...optionalProperty('torchward:specifier', d.specifier === '' ? undefined : d.specifier),
      ],
    });
  }
  const vulnerabilities: object[] = [];
  let n = 0;
  for (const file of report.files) {
    const ref = refOf.get(file.path);
    if (ref === undefined) continue;
    for (const f of file.findings) {
      if (f.suppressed !== undefined) continue;
      vulnerabilities.push(vulnerability(f, ref, ++n));
    }
  }
  const repo = hub?.repos.length === 1 ? hub.repos[0] : undefined;
  const root = 'subject';
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: input.serialNumber,
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: {
        components: [{ type: 'application', name: report.tool.name, version: report.tool.version }],
      },
      component: {
        type: repo === undefined ? 'application' : 'machine-learning-model',
        'bom-ref': root,
        name: input.subject.name,
        ...(input.subject.version === undefined ? {} : { version: input.subject.version }),
        ...(input.subject.purl === undefined ? {} : { purl: input.subject.purl }),
      },
    },
    components,
    dependencies: [
      {
        ref: root,
        dependsOn: [...refOf.values(), ...[...libraries.keys()].map((k) => `pypi:${k}`)],
      },
      ...[...libraries.keys()].map((k) => ({ ref: `pypi:${k}`, dependsOn: [] })),
    ],
    ...(vulnerabilities.length === 0 ? {} : { vulnerabilities }),
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}

function optionalProperty(
  name: string,
  value: string | undefined,
): { name: string; value: string }[] {
  return value === undefined ? [] : [{ name, value }];
}

function modelCard(card: ModelCardFacts): object {
  const parameters = {
    ...(card.task === undefined ? {} : { task: card.task }),
    ...(card.architectureFamily === undefined
      ? {}
      : { architectureFamily: card.architectureFamily }),
    ...(card.modelArchitecture === undefined ? {} : { modelArchitecture: card.modelArchitecture }),
    ...(card.datasets === undefined || card.datasets.length === 0
      ? {}
      : { datasets: card.datasets.map((name) => ({ type: 'dataset', name })) }),
  };
  const properties = [
    ...optionalProperty('huggingface:license', card.license),
    ...optionalProperty('huggingface:library_name', card.libraryName),
    ...optionalProperty('huggingface:base_model', card.baseModel),
    { name: 'torchward:modelCardFrom', value: card.from.join(', ') },
  ];
  return {
    ...(Object.keys(parameters).length === 0 ? {} : { modelParameters: parameters }),
    properties,
  };
}

function vulnerability(f: Finding, ref: string, n: number): object {
  return {
    'bom-ref': `finding-${n}`,
    id: f.ruleId,
    source: { name: 'torchward' },
    ratings: [{ source: { name: 'torchward' }, severity: RATING[f.severity], method: 'other' }],
    description: f.message,
    detail: `${f.primary.uri}${f.primary.unit === 'byte' ? ` at byte ${f.primary.span.start}` : ''}`,
    ...(f.verdict === undefined
      ? {}
      : { properties: [{ name: 'torchward:verdict', value: f.verdict }] }),
    affects: [{ ref }],
  };
}
