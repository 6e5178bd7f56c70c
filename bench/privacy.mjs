// Throughput and memory of the privacy scan (issue 18). Usage: node bench/privacy.mjs (after
// `npm run build`); TORCHWARD_BENCH_PRIVACY_MB sets the input size (default 2048 MiB).
// Writes bench/out/privacy/chat.jsonl (chat-like records, about 1 in 50 holding an email, a
// card, a phone number or an AWS key) and bench/out/privacy/rows.parquet (the same records as
// columns, written with hyparquet-writer in row groups of 100,000 rows), then measures in child
// processes, one core each: `torchward scan --privacy` (the whole CLI: wall time and peak RSS)
// and the privacy pass alone (scanPrivacyFile), with `wc -l` over the same file as the I/O peer.
// Then a single-line text file (issue 18's "1 GB single line"; TORCHWARD_BENCH_PRIVACY_LINE_MB,
// default 1024 MiB, one AWS key near its end): the privacy pass must find the key in constant
// memory (1 MiB windows).
// Last, a differential over the bench corpus: the first TORCHWARD_BENCH_PRIVACY_DIFF_MB MiB
// (default 64) of the JSONL scanned as shipped and by the reference path (every value handed to
// the detector, gitleaks' rules searched from each value's start, no search hints); the figures
// must be identical (exit 0, `identical: true`).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';

const MB = Number(process.env.TORCHWARD_BENCH_PRIVACY_MB ?? 2048);
const dir = 'bench/out/privacy';
mkdirSync(dir, { recursive: true });
const jsonl = `${dir}/chat-${MB}.jsonl`;
const WORDS =
  'the model was trained on data from many sources and we checked every record twice before release'.split(
    ' ',
  );
function record(i) {
  let text = '';
  for (let w = 0; w < 30; w++) text += `${WORDS[(i * 7 + w * 13) % WORDS.length]} `;
  const k = i % 200;
  if (k === 1) text += `mail me at user${i}@mailbox.org`;
  else if (k === 2) text += 'card 4454 7945 1139 0933';
  else if (k === 3) text += `call +1-984-182-${String(1000 + (i % 9000))}`;
  else if (k === 4) text += 'aws_key = AKIALALEMEL33243OLIA';
  return `{"id":${i},"role":"user","text":"${text}","meta":{"source":"web","lang":"en"}}\n`;
}
if (!existsSync(jsonl) || statSync(jsonl).size < MB * 1024 * 1024) {
  const fd = openSync(jsonl, 'w');
  let size = 0;
  let buf = '';
  for (let i = 0; size < MB * 1024 * 1024; i++) {
    const r = record(i);
    buf += r;
    size += r.length;
    if (buf.length > 4 * 1024 * 1024) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}
const parquet = `${dir}/rows-${MB}.parquet`;
if (!existsSync(parquet)) {
  // One tenth of the JSONL size as Parquet (the writer holds a row group's columns in memory).
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `
    const { parquetWriteFile } = await import('hyparquet-writer');
    const rows = ${Math.max(1, Math.round(MB / 10))} * 1024 * 1024 / 200 | 0;
    const W = ${JSON.stringify(WORDS)};
    const ids = [], texts = [];
    for (let i = 0; i < rows; i++) {
      let t = ''; for (let w = 0; w < 30; w++) t += W[(i * 7 + w * 13) % W.length] + ' ';
      if (i % 200 === 1) t += 'mail me at user' + i + '@mailbox.org';
      ids.push(BigInt(i)); texts.push(t);
    }
    await parquetWriteFile({ filename: ${JSON.stringify(parquet)}, columnData: [
      { name: 'id', data: ids, type: 'INT64' }, { name: 'text', data: texts, type: 'STRING' }],
      rowGroupSize: 100000 });
  `,
      '--input-type=module',
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(1);
}

function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const [secs, kb, user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  // CPU seconds (user + sys) as well as wall: on a shared machine wall time says little.
  return {
    secs,
    cpuSecs: Math.round((user + sys) * 100) / 100,
    rssMB: kb / 1024,
    status: r.status,
  };
}
for (const file of [jsonl, parquet]) {
  const size = statSync(file).size / (1024 * 1024);
  const cli = timed([
    process.execPath,
    'dist/cli/main.js',
    'scan',
    '--privacy',
    '--no-progress',
    '-f',
    'json',
    file,
  ]);
  const pass = timed([
    process.execPath,
    '--input-type=module',
    '-e',
    `
    const { scanPrivacyFile } = await import('./dist/privacy/scan-file.js');
    const { PrivacyDetector } = await import('./dist/privacy/detect.js');
    const { privacyFormatOf } = await import('./dist/privacy/records.js');
    const { makeLimits } = await import('./dist/core/limits.js');
    const f = ${JSON.stringify(file)};
    const r = await scanPrivacyFile(f, f, privacyFormatOf(f), makeLimits(), new PrivacyDetector());
    process.stderr.write(JSON.stringify({ values: r.values, hits: r.totalHits }) + '\\n');
  `,
  ]);
  const peer = timed(['wc', '-l', file]);
  for (const [what, m] of [
    ['torchward scan --privacy (CLI)', cli],
    ['privacy pass alone', pass],
    ['wc -l (peer)', peer],
  ])
    console.log(
      JSON.stringify({
        bench: 'privacy',
        file,
        sizeMB: Math.round(size),
        what,
        secs: m.secs,
        cpuSecs: m.cpuSecs,
        mbPerSec: Math.round(size / m.secs),
        mbPerCpuSec: Math.round(size / m.cpuSecs),
        peakRssMB: Math.round(m.rssMB),
        exit: m.status,
      }),
    );
}

// One line of LINE_MB MiB without a newline, the key near its end.
const LINE_MB = Number(process.env.TORCHWARD_BENCH_PRIVACY_LINE_MB ?? 1024);
const line = `${dir}/line-${LINE_MB}.txt`;
if (!existsSync(line) || statSync(line).size < LINE_MB * 1024 * 1024) {
  const fd = openSync(line, 'w');
  const block = 'lorem ipsum dolor sit amet '.repeat(40000);
  let size = 0;
  while (size < LINE_MB * 1024 * 1024) size += writeSync(fd, block);
  writeSync(fd, ' aws AKIALALEMEL33243OLIA');
  closeSync(fd);
}
{
  const size = statSync(line).size / (1024 * 1024);
  const pass = timed([
    process.execPath,
    '--input-type=module',
    '-e',
    `
    const { scanPrivacyFile } = await import('./dist/privacy/scan-file.js');
    const { PrivacyDetector } = await import('./dist/privacy/detect.js');
    const { makeLimits } = await import('./dist/core/limits.js');
    const f = ${JSON.stringify(line)};
    const r = await scanPrivacyFile(f, f, 'text', makeLimits(), new PrivacyDetector());
    const aws = r.hits.filter((h) => h.entity === 'secret/aws').length;
    process.exit(aws === 1 ? 0 : 1);
  `,
  ]);
  console.log(
    JSON.stringify({
      bench: 'privacy',
      file: line,
      sizeMB: Math.round(size),
      what: 'single line: privacy pass alone (exit 0 = the key near the end was found)',
      secs: pass.secs,
      cpuSecs: pass.cpuSecs,
      mbPerSec: Math.round(size / pass.secs),
      mbPerCpuSec: Math.round(size / pass.cpuSecs),
      peakRssMB: Math.round(pass.rssMB),
      exit: pass.status,
    }),
  );
}

// Differential over the bench corpus: shipped path against the reference path, same file.
{
  const DIFF_MB = Number(process.env.TORCHWARD_BENCH_PRIVACY_DIFF_MB ?? 64);
  const slice = `${dir}/chat-diff-${DIFF_MB}.jsonl`;
  if (!existsSync(slice)) {
    const buf = Buffer.alloc(Math.min(DIFF_MB * 1024 * 1024, statSync(jsonl).size));
    const fd = openSync(jsonl, 'r');
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const out = openSync(slice, 'w');
    writeSync(out, buf.subarray(0, buf.lastIndexOf(10, n - 1) + 1));
    closeSync(out);
  }
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const { isDeepStrictEqual } = await import('node:util');
    const { scanPrivacyFile } = await import('./dist/privacy/scan-file.js');
    const { PrivacyDetector } = await import('./dist/privacy/detect.js');
    const { makeLimits } = await import('./dist/core/limits.js');
    const f = ${JSON.stringify(slice)};
    const fast = await scanPrivacyFile(f, f, 'jsonl', makeLimits(), new PrivacyDetector());
    const slow = await scanPrivacyFile(f, f, 'jsonl', makeLimits(),
      new PrivacyDetector({ searchHints: false }), { fast: false });
    const identical = isDeepStrictEqual(fast, slow);
    console.log(JSON.stringify({ identical, hits: slow.totalHits, values: slow.values }));
    process.exit(identical ? 0 : 1);
  `,
    ],
    { encoding: 'utf8' },
  );
  const result = JSON.parse(r.stdout.trim() || '{}');
  console.log(
    JSON.stringify({
      bench: 'privacy',
      file: slice,
      sizeMB: Math.round(statSync(slice).size / (1024 * 1024)),
      what: 'differential: shipped path vs reference path (every value, no search hints)',
      ...result,
      exit: r.status,
    }),
  );
}
