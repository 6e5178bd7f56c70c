import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';

// Every TypeScript/JavaScript block and every `torchward …` shell command in README.md and docs/
// runs here, in a fresh workspace holding the files the examples name (examples/, models/,
// model.pt, my-model/ signed with signer.pem, keys made with openssl …), through the built CLI
// (`torchward` on PATH is dist/cli/main.js). A command passes when it exits 0 or 1 (1 is a finding
// or a refusal, which several examples show on purpose); a usage error (2), unreadable input (3)
// or internal error (4) fails the test. TypeScript blocks are type-checked against the package's
// declarations, then run. A block that cannot run here (it needs a certificate authority or a
// Sigstore trust root, or it is a synopsis) says so on the line before its fence:
//   <!-- doc-test: syntax-only (reason) -->
// and its commands are still checked for syntax: each option must be one the command's --help lists.

const ROOT = process.cwd();
const CLI = join(ROOT, 'dist/cli/main.js');

interface Block {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly body: string;
  readonly syntaxOnly: boolean;
}

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) markdownFiles(path, out);
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

function blocksOf(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const indent = open[1] ?? '';
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && (lines[j] ?? '').trim() !== '```') {
      body.push((lines[j] ?? '').slice(indent.length));
      j++;
    }
    const prev = i > 0 ? (lines[i - 1] ?? '') : '';
    blocks.push({
      file,
      line: i + 1,
      lang: open[2] ?? '',
      body: body.join('\n'),
      syntaxOnly: /<!--\s*doc-test:\s*syntax-only\b/.test(prev),
    });
    i = j;
  }
  return blocks;
}

const blocks = ['README.md', ...markdownFiles('docs')].flatMap(blocksOf);
const tsBlocks = blocks.filter((b) => /^(ts|typescript|js|javascript|mjs)$/.test(b.lang));

/**
 * The shell commands of a block: continuation lines joined, `$ ` prompts stripped (in a transcript
 * only prompted lines are commands), trailing `# comments` dropped, `a && b` split. Only
 * `torchward` commands (also as `npx torchward`) and a few harmless ones (echo) are kept; `npm`
 * steps are the reader's, not the example's.
 */
function commandsOf(block: Block): string[] {
  const raw = block.body.split('\n');
  const transcript = raw.some((l) => l.startsWith('$ '));
  const logical: string[] = [];
  let current = '';
  for (const line of raw) {
    if (transcript && current === '' && !line.startsWith('$ ')) continue;
    const text = transcript && current === '' ? line.slice(2) : line;
    if (text.endsWith('\\')) {
      current += `${text.slice(0, -1)} `;
      continue;
    }
    logical.push(current + text);
    current = '';
  }
  return logical
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .flatMap((l) => l.split(/\s+&&\s+/))
    .map((l) => l.replace(/^npx\s+torchward\b/, 'torchward'))
    .filter((l) => /^(torchward|echo)\b/.test(l));
}

const shellBlocks = blocks.filter(
  (b) =>
    /^(sh|bash|shell|console|)$/.test(b.lang) &&
    commandsOf(b).some((c) => c.startsWith('torchward')),
);

function cli(args: readonly string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

const helpCache = new Map<string, string>();
function helpOf(command: string): string {
  let help = helpCache.get(command);
  if (help === undefined) {
    const r = cli(command === '' ? ['--help'] : [...command.split(' '), '--help'], ROOT);
    assert.equal(r.status, 0, `torchward ${command} --help: ${r.stderr}`);
    help = r.stdout;
    helpCache.set(command, help);
  }
  return help;
}

/** Options of a command line that its command's --help does not list. */
function unknownOptions(command: string): string[] {
  const words = command.split(/\s+/).slice(1);
  const sub = words[0] !== undefined && !words[0].startsWith('-') ? words[0] : '';
  let help = helpOf(sub);
  // A subcommand (`guard proxy`, `sandbox load`, `repo audit`) has its own --help; its options
  // count as known when either help lists them.
  const second = words[1];
  if (sub !== '' && second !== undefined && /^[a-z][\w-]*$/.test(second)) {
    if (new RegExp(`torchward ${sub} ${second}\\b`).test(help)) help += helpOf(`${sub} ${second}`);
  }
  const unknown: string[] = [];
  for (const w of words) {
    const flag = /^\[?(--?[A-Za-z][\w-]*)/.exec(w)?.[1];
    if (flag === undefined) continue;
    const listed = flag.startsWith('--')
      ? new RegExp(`(^|[\\s,[])${flag}\\b`, 'm').test(help)
      : new RegExp(`(^|\\s)${flag},`, 'm').test(help);
    if (!listed) unknown.push(flag);
  }
  return unknown;
}

let template = '';
let bin = '';

/** A fresh copy of the workspace the examples name, for one block. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-doc-ws-'));
  cpSync(template, dir, { recursive: true });
  return dir;
}

function lfsPointer(path: string): string {
  const bytes = readFileSync(path);
  const oid = createHash('sha256').update(bytes).digest('hex');
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${bytes.length}\n`;
}

describe('code blocks in README.md and docs/', () => {
  before(() => {
    template = mkdtempSync(join(tmpdir(), 'torchward-doc-template-'));
    cpSync(join(ROOT, 'examples'), join(template, 'examples'), { recursive: true });
    const benign = join(ROOT, 'examples/benign');
    for (const dir of ['models', 'models/bert', 'my-model', 'pointers', 'out']) {
      mkdirSync(join(template, dir), { recursive: true });
    }
    for (const dir of ['models', 'models/bert', 'my-model']) {
      copyFileSync(join(benign, 'model.safetensors'), join(template, dir, 'model.safetensors'));
      copyFileSync(join(benign, 'state_dict.pt'), join(template, dir, 'pytorch_model.bin'));
    }
    copyFileSync(join(benign, 'state_dict.pt'), join(template, 'model.pt'));
    copyFileSync(join(benign, 'state_dict.pt'), join(template, 'model.bin'));
    writeFileSync(join(template, 'model.bin.pointer'), lfsPointer(join(template, 'model.bin')));
    for (const name of ['model.safetensors', 'pytorch_model.bin']) {
      writeFileSync(join(template, 'pointers', name), lfsPointer(join(template, 'my-model', name)));
    }
    // Two P-256 key pairs, as the examples name them.
    for (const key of ['key', 'signer']) {
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        join(template, `${key}.pem`),
      ]);
      execFileSync('openssl', [
        'pkey',
        '-in',
        join(template, `${key}.pem`),
        '-pubout',
        '-out',
        join(template, `${key}.pub`),
      ]);
    }
    const signed = cli(['sign', 'my-model', '--private-key', 'signer.pem'], template);
    assert.equal(signed.status, 0, signed.stderr);
    const unsigned = cli(
      ['sign', 'model.bin', '--private-key', 'signer.pem', '--signature', 'model.sig'],
      template,
    );
    assert.equal(unsigned.status, 0, unsigned.stderr);
    // `torchward` on PATH is the built CLI.
    bin = mkdtempSync(join(tmpdir(), 'torchward-doc-bin-'));
    writeFileSync(join(bin, 'torchward'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'torchward'), 0o755);
  });
  after(() => {
    rmSync(template, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  it('finds the blocks (the extractor is live)', () => {
    assert.ok(tsBlocks.length >= 1, 'no TypeScript block found');
    assert.ok(shellBlocks.length >= 8, `only ${shellBlocks.length} shell blocks found`);
    assert.ok(shellBlocks.some((b) => !b.syntaxOnly));
  });

  it('uses only options the commands know (every torchward command, run or not)', () => {
    const bad = shellBlocks.flatMap((b) =>
      commandsOf(b)
        .filter((c) => c.startsWith('torchward'))
        .flatMap((c) => unknownOptions(c).map((f) => `${b.file}:${b.line}: ${f} in \`${c}\``)),
    );
    assert.deepEqual(bad, []);
  });

  for (const block of shellBlocks.filter((b) => !b.syntaxOnly)) {
    it(`runs ${block.file}:${block.line}`, () => {
      const dir = workspace();
      try {
        for (const command of commandsOf(block)) {
          const r = spawnSync('bash', ['-c', command], {
            cwd: dir,
            encoding: 'utf8',
            env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
            timeout: 120_000,
          });
          assert.ok(
            r.status === 0 || r.status === 1,
            `\`${command}\` exited ${String(r.status)}\n${r.stdout}\n${r.stderr}`,
          );
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  for (const block of tsBlocks) {
    it(`type-checks and runs ${block.file}:${block.line}`, () => {
      const dir = workspace();
      try {
        const source = join(dir, 'example.mts');
        writeFileSync(source, block.body);
        const program = ts.createProgram([source], {
          strict: true,
          noEmit: true,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          target: ts.ScriptTarget.ES2022,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
          paths: { torchward: [join(ROOT, 'dist/index.d.ts')] },
          skipLibCheck: true,
        });
        const diagnostics = ts
          .getPreEmitDiagnostics(program)
          .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        assert.deepEqual(diagnostics, []);
        const js = ts
          .transpileModule(block.body, {
            compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
          })
          .outputText.replace(
            /from\s+'torchward'/g,
            `from '${pathToFileURL(resolve(ROOT, 'dist/index.js')).href}'`,
          );
        writeFileSync(join(dir, 'example.mjs'), js);
        const r = spawnSync(process.execPath, ['example.mjs'], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 120_000,
        });
        assert.equal(r.status, 0, r.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
