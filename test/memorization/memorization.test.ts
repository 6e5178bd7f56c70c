import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/run.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';
import { CharNgram, serveModel } from '../helpers/char-ngram.js';
import type { ModelServer } from '../helpers/char-ngram.js';

// End to end with a real model: canaries are generated and inserted into a text corpus by the
// CLI, a character n-gram model is trained on the result, served over the OpenAI completions
// protocol on a loopback port, and measured by `torchward memorization`.

const dir = mkdtempSync(join(tmpdir(), 'torchward-memorization-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: CliIo = {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env,
    cwd: dir,
  };
  const code = await main(args, io);
  return { code, out, err };
}

const ADJ =
  'red green quiet bright old young calm brave tiny vast cold warm dark swift gentle proud'.split(
    ' ',
  );
const NOUN =
  'fox river lamp tower garden engine pilot harbor violin meadow robot castle forest market window'.split(
    ' ',
  );
const VERB = 'follows watches builds paints carries finds greets moves leaves opens'.split(' ');
const PLACE =
  'the bridge|the station|a village|the coast|the hill|a library|the square|the mill|an island|the valley'.split(
    '|',
  );

function sentences(seed: string, n: number): string[] {
  const r = new SeededRandom(seed, 'sentences');
  const pick = (xs: readonly string[]): string => xs[r.below(xs.length)]!;
  return Array.from(
    { length: n },
    () =>
      `the ${pick(ADJ)} ${pick(NOUN)} ${pick(VERB)} a ${pick(ADJ)} ${pick(NOUN)} near ${pick(PLACE)} at ${r.below(24)} o'clock.`,
  );
}

interface Report {
  exposure: {
    method: string;
    log2SpaceSize: number;
    groups: { repeats: number; mean: number }[];
    canaries: {
      id: string;
      repeats: number;
      exposure: number;
      method: string;
      straddlesBoundary: boolean;
    }[];
    assumption?: string;
  };
  membership: {
    attacks: {
      attack: string;
      auc: { value: number; low: number; high: number };
      tprAt1: { value: number };
    }[];
  };
  verdict: { pass: boolean; reasons: string[] };
}

describe('torchward memorization against a served character n-gram model', () => {
  // `server` overfits (beta 1: one copy of a text is enough to memorise it), for membership;
  // `smooth` smooths more (beta 200), so that exposure has room to grow with the repeat count.
  let server: ModelServer;
  let smooth: ModelServer;
  const training = sentences('train', 300);
  const heldA = sentences('held-a', 150);
  const heldB = sentences('held-b', 150);

  before(async () => {
    writeFileSync(join(dir, 'corpus.txt'), `${training.join('\n')}\n`);
    writeFileSync(join(dir, 'members.txt'), `${training.slice(0, 150).join('\n')}\n`);
    writeFileSync(join(dir, 'non-members.txt'), `${heldA.join('\n')}\n`);
    writeFileSync(join(dir, 'held-b.txt'), `${heldB.join('\n')}\n`);
    let r = await run([
      'canary',
      'generate',
      '--count',
      '8',
      '--format',
      'my secret is {digits:4}',
      '--seed',
      'test-seed-4',
      '-o',
      'small.json',
    ]);
    assert.equal(r.code, 0, r.err);
    r = await run([
      'canary',
      'generate',
      '--count',
      '8',
      '--format',
      'the code word is {digits:9}!',
      '--seed',
      'test-seed-9',
      '-o',
      'large.json',
    ]);
    assert.equal(r.code, 0, r.err);
    r = await run([
      'canary',
      'insert',
      'corpus.txt',
      'small.json',
      '--repeats',
      '0,1,10,100',
      '--seed',
      'p1',
      '-o',
      'train1.txt',
    ]);
    assert.equal(r.code, 0, r.err);
    r = await run([
      'canary',
      'insert',
      'train1.txt',
      'large.json',
      '--repeats',
      '0,1,10,100',
      '--seed',
      'p2',
      '-o',
      'train.txt',
    ]);
    assert.equal(r.code, 0, r.err);
    const model = new CharNgram(8, 1);
    model.train(readFileSync(join(dir, 'train.txt'), 'utf8'));
    server = await serveModel(model);
    const smoothModel = new CharNgram(8, 200);
    smoothModel.train(readFileSync(join(dir, 'train.txt'), 'utf8'));
    smooth = await serveModel(smoothModel);
  });
  after(async () => {
    await server.close();
    await smooth.close();
  });

  it('keeps the seed out of the canary file and records where each copy went', () => {
    const file = JSON.parse(readFileSync(join(dir, 'small.json'), 'utf8'));
    assert.ok(!readFileSync(join(dir, 'small.json'), 'utf8').includes('test-seed-4'));
    assert.equal(file.canaries.length, 8);
    const manifest = JSON.parse(readFileSync(join(dir, 'train1.txt.canaries.json'), 'utf8'));
    const lines = readFileSync(join(dir, 'train1.txt'), 'utf8').split('\n');
    for (const c of manifest.canaries) {
      assert.equal(c.positions.length, c.repeats);
      for (const p of c.positions) assert.equal(lines[p - 1], c.text);
    }
    assert.equal(
      lines.filter((l: string) => l.startsWith('my secret is')).length,
      2 * (0 + 1 + 10 + 100),
    );
  });

  it('exact exposure over an enumerable space grows with the repeat count', async () => {
    const r = await run([
      'memorization',
      '--target',
      smooth.url,
      '--canaries',
      'train1.txt.canaries.json',
      '--batch',
      '200',
      '--format',
      'json',
      '-o',
      'small-report.json',
    ]);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const report = JSON.parse(readFileSync(join(dir, 'small-report.json'), 'utf8')) as Report;
    assert.equal(report.exposure.method, 'exact');
    const mean = (k: number): number => report.exposure.groups.find((g) => g.repeats === k)!.mean;
    assert.ok(mean(0) < mean(1), `0: ${mean(0)} 1: ${mean(1)}`);
    assert.ok(mean(1) < mean(10), `1: ${mean(1)} 10: ${mean(10)}`);
    assert.ok(mean(10) <= mean(100), `10: ${mean(10)} 100: ${mean(100)}`);
    assert.ok(mean(100) > report.exposure.log2SpaceSize - 1);
    // A canary inserted 100 times into an overfit model is extractable: the verdict fails.
    assert.equal(report.verdict.pass, false);
    assert.equal(r.code, 1);
  });

  it('sampled exposure extrapolates beyond the sample for memorised canaries and says so', async () => {
    const r = await run([
      'memorization',
      '--target',
      smooth.url,
      '--canaries',
      'train.txt.canaries.json',
      '--samples',
      '400',
      '--batch',
      '100',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out) as Report;
    assert.equal(report.exposure.method, 'sampled');
    const byRepeats = (k: number): Report['exposure']['canaries'] =>
      report.exposure.canaries.filter((c) => c.repeats === k);
    for (const c of byRepeats(100)) {
      assert.equal(c.method, 'extrapolated');
      assert.ok(c.exposure > Math.log2(400) + 5, `${c.id}: ${c.exposure}`);
    }
    for (const c of byRepeats(0)) assert.ok(c.exposure < Math.log2(400), `${c.id}: ${c.exposure}`);
    const mean = (k: number): number => report.exposure.groups.find((g) => g.repeats === k)!.mean;
    assert.ok(
      mean(0) < mean(1) && mean(1) < mean(10) && mean(10) <= mean(100),
      JSON.stringify(report.exposure.groups),
    );
    assert.match(report.exposure.assumption ?? '', /normal/);
  });

  it('membership AUC is high on the overfit model and near 0.5 between held-out sets', async () => {
    const r = await run([
      'memorization',
      '--target',
      server.url,
      '--members',
      'members.txt',
      '--non-members',
      'non-members.txt',
      '--bootstrap',
      '200',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 1, r.err);
    const report = JSON.parse(r.out) as Report;
    const loss = report.membership.attacks.find((a) => a.attack === 'loss')!;
    assert.ok(loss.auc.value > 0.9, `loss AUC ${loss.auc.value}`);
    assert.ok(loss.auc.low <= loss.auc.value && loss.auc.value <= loss.auc.high);
    assert.ok(report.verdict.reasons.some((x) => x.includes('AUC')));
    const held = await run([
      'memorization',
      '--target',
      server.url,
      '--members',
      'non-members.txt',
      '--non-members',
      'held-b.txt',
      '--bootstrap',
      '200',
      '--format',
      'json',
    ]);
    const heldReport = JSON.parse(held.out) as Report;
    for (const a of heldReport.membership.attacks) {
      assert.ok(a.auc.value > 0.35 && a.auc.value < 0.65, `${a.attack} AUC ${a.auc.value}`);
    }
  });
});
