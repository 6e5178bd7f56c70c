import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ScanReport } from '../engine/result.js';
import { parseStrictJson, plainJson } from '../formats/json/strict-json.js';
import { isExactPin, parseRequirementsFile } from '../formats/python/requirements.js';
import {
  isModelArtifact,
  renderCycloneDx,
  type DeclaredDependency,
  type ModelCardFacts,
} from '../reporters/cyclonedx.js';

/** Most bytes of a README.md or config.json read for a model card. */
const CARD_TEXT_BYTES = 1024 * 1024;

/**
 * Renders a scan report as a CycloneDX 1.6 ML-BOM: gathers what the report does not hold
 * (SHA-256 of local artifacts, read as a stream; the config.json and README.md beside each
 * artifact; the requirements the code audit read) and hands it to the reporter.
 */
export async function renderCycloneDxReport(report: ScanReport, cwd: string): Promise<string> {
  const texts = report.hub?.texts ?? {};
  const remote = report.hub !== undefined;
  const readText = async (path: string): Promise<string | undefined> => {
    if (remote) return texts[path];
    try {
      const full = resolve(cwd, path);
      if ((await stat(full)).size > CARD_TEXT_BYTES) return undefined;
      return await readFile(full, 'utf8');
    } catch {
      return undefined;
    }
  };
  const hashes = new Map<string, string>();
  const cards = new Map<string, ModelCardFacts>();
  for (const file of report.files) {
    if (!isModelArtifact(file)) continue;
    const known = file.sha256 ?? (remote ? undefined : await sha256Of(resolve(cwd, file.path)));
    if (known !== undefined) hashes.set(file.path, known);
    // String joins, not path.join: `hf://` names must keep their double slash.
    const folder = file.path.slice(0, file.path.lastIndexOf('/') + 1);
    const card = modelCardFacts(
      await readText(`${folder}config.json`),
      await readText(`${folder}README.md`),
    );
    if (card !== undefined) cards.set(file.path, card);
  }
  const dependencies: DeclaredDependency[] = [];
  for (const file of report.files) {
    if (!/(^|\/)[^/]*requirements[^/]*\.txt$/i.test(file.path) || file.text === undefined) continue;
    for (const r of parseRequirementsFile(file.text).requirements) {
      if (r.name === '') continue;
      const pinned = isExactPin(r.specifier) ? r.specifier.replace(/^\s*===?\s*/, '') : undefined;
      dependencies.push({
        name: r.name,
        specifier: r.specifier,
        declaredIn: file.path,
        ...(pinned === undefined ? {} : { version: pinned }),
      });
    }
  }
  const repo = report.hub?.repos.length === 1 ? report.hub.repos[0] : undefined;
  return renderCycloneDx(report, {
    hashes,
    cards,
    dependencies,
    serialNumber: `urn:uuid:${randomUUID()}`,
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    subject:
      repo === undefined
        ? { name: report.hub?.source ?? basename(resolve(cwd)) }
        : {
            name: repo.repo,
            version: repo.commit,
            ...(repo.type === 'model'
              ? { purl: `pkg:huggingface/${repo.repo}@${repo.commit}` }
              : {}),
          },
  });
}

/** SHA-256 of a file read as a stream; undefined when it cannot be read. */
function sha256Of(path: string): Promise<string | undefined> {
  return new Promise((done) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path);
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', () => {
      done(undefined);
    });
    stream.on('end', () => {
      done(hash.digest('hex'));
    });
  });
}

/** Model-card facts out of a config.json and a README's YAML front matter, when either says any. */
export function modelCardFacts(
  config: string | undefined,
  readme: string | undefined,
): ModelCardFacts | undefined {
  const from: string[] = [];
  let architectureFamily: string | undefined;
  let modelArchitecture: string | undefined;
  if (config !== undefined) {
    try {
      // The strict parser, as everywhere a model folder's JSON is read: a repeated key or a
      // depth bomb says nothing for the card rather than one reader's guess.
      const c = plainJson(parseStrictJson(config)) as {
        model_type?: unknown;
        architectures?: unknown;
      };
      if (typeof c.model_type === 'string') architectureFamily = c.model_type;
      if (Array.isArray(c.architectures) && typeof c.architectures[0] === 'string')
        modelArchitecture = c.architectures[0];
      from.push('config.json');
    } catch {
      // A config.json that is not JSON says nothing for the card (the scan reports it).
    }
  }
  let front: Record<string, unknown> = {};
  if (readme !== undefined) {
    const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(readme);
    from.push('README.md');
    if (m?.[1] !== undefined) {
      try {
        const parsed = parseYaml(m[1], { maxAliasCount: 0 }) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          front = parsed as Record<string, unknown>;
      } catch {
        // Front matter that is not YAML: no card facts from it.
      }
    }
  }
  if (from.length === 0) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const list = (v: unknown): string[] | undefined =>
    typeof v === 'string'
      ? [v]
      : Array.isArray(v)
        ? v.filter((x): x is string => typeof x === 'string')
        : undefined;
  const task = str(front.pipeline_tag);
  const datasets = list(front.datasets);
  const license = str(front.license);
  const libraryName = str(front.library_name);
  const baseModel = list(front.base_model)?.[0];
  return {
    from,
    ...(task === undefined ? {} : { task }),
    ...(architectureFamily === undefined ? {} : { architectureFamily }),
    ...(modelArchitecture === undefined ? {} : { modelArchitecture }),
    ...(datasets === undefined ? {} : { datasets }),
    ...(license === undefined ? {} : { license }),
    ...(libraryName === undefined ? {} : { libraryName }),
    ...(baseModel === undefined ? {} : { baseModel }),
  };
}
