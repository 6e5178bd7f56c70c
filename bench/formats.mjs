// Formats benchmark (issue 4): header-only reads of large GGUF and ONNX models. Each format is
// generated twice with the same header, once with ~1 MiB and once with ~2 GiB of weights (sparse
// files made with truncate, so the disk cost is nil); a header-only scanner takes the same time for
// both. Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

const OUT = 'bench/out/formats';
mkdirSync(OUT, { recursive: true });

const GEN = String.raw`
import os, struct, sys
sys.path.insert(0, 'test/fixtures/make')
import formats as F
out = sys.argv[1]

def gguf(path, weight_bytes):
    # 32k-token vocabulary, a chat template and 200 F32 tensors sharing weight_bytes.
    n = 200
    per = (weight_bytes // n) // 4 // 32 * 32  # elements per tensor, a multiple of 32
    kvs = [('general.architecture', F.T_STRING, 'llama'), ('general.alignment', F.T_U32, 32),
           ('tokenizer.ggml.tokens', F.T_ARRAY, (F.T_STRING, ['tok%d' % i for i in range(32000)])),
           ('tokenizer.chat_template', F.T_STRING, F.BENIGN_TEMPLATE)]
    head = b'GGUF' + struct.pack('<IQQ', 3, n, len(kvs))
    for key, t, v in kvs:
        head += F.g_str(key) + struct.pack('<I', t) + F.g_value(t, v)
    offset = 0
    for i in range(n):
        head += F.g_str('blk.%d.weight' % i) + struct.pack('<IQIQ', 1, per, 0, offset)
        offset += per * 4
    head += b'\0' * ((-len(head)) % 32)
    with open(path, 'wb') as f:
        f.write(head)
        f.truncate(len(head) + offset)  # sparse weights

def onnx_external(dirname, weight_bytes):
    import numpy as np, onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnx.external_data_helper import set_external_data
    os.makedirs(dirname, exist_ok=True)
    n = 100
    per = weight_bytes // n // 4
    inits, nodes, prev = [], [], 'x'
    for i in range(n):
        t = numpy_helper.from_array(np.zeros(1, dtype=np.float32), 'w%d' % i)
        t.ClearField('dims'); t.dims.extend([per])
        set_external_data(t, 'weights.bin', i * per * 4, per * 4)
        t.ClearField('raw_data')
        t.data_location = TensorProto.EXTERNAL
        inits.append(t)
        nodes.append(helper.make_node('Add', [prev, 'w%d' % i], ['h%d' % i]))
        prev = 'h%d' % i
    vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [per])
    g = helper.make_graph(nodes, 'g', [vi('x')], [vi(prev)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
    with open(os.path.join(dirname, 'model.onnx'), 'wb') as f:
        f.write(m.SerializeToString())
    with open(os.path.join(dirname, 'weights.bin'), 'wb') as f:
        f.truncate(n * per * 4)  # sparse weights

MiB, GiB = 1 << 20, 1 << 30
gguf(os.path.join(out, 'small.gguf'), MiB)
gguf(os.path.join(out, 'big.gguf'), 2 * GiB)
onnx_external(os.path.join(out, 'onnx-small'), MiB)
onnx_external(os.path.join(out, 'onnx-big'), 2 * GiB)
`;

if (!existsSync(`${OUT}/onnx-big/weights.bin`)) {
  console.error('bench formats: generating sparse GGUF and ONNX inputs');
  execFileSync('/usr/bin/python3', ['-c', GEN, OUT], { stdio: 'inherit' });
}

const { scanFile } = await import('../dist/engine/scan.js');
const { readGgufHeader } = await import('../dist/formats/gguf/index.js');
const { FileSource } = await import('../dist/core/byte-source.js');
const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');

/** Median of `runs` timings of `fn`, in milliseconds. */
async function time(fn, runs = 7) {
  const ms = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { ms: Math.round(ms[Math.floor(runs / 2)] * 100) / 100, last };
}

async function bytesRead(path) {
  const source = await FileSource.open(path);
  let read = 0;
  const counting = {
    size: source.size,
    read: (o, n) => source.read(o, n).then((b) => ((read += b.byteLength), b)),
  };
  await readGgufHeader(counting, DEFAULT_LIMITS);
  await source.close();
  return read;
}

const result = {
  bench: 'formats',
  machine: `${cpus().length} x ${cpus()[0]?.model}`,
  node: process.version,
};
for (const size of ['small', 'big']) {
  const path = `${OUT}/${size}.gguf`;
  const scan = await time(() => scanFile(path));
  result[`gguf_${size}`] = {
    fileBytes: statSync(path).size,
    headerBytesRead: await bytesRead(path),
    scanMs: scan.ms,
    verdict: scan.last.verdict,
  };
  const onnx = `${OUT}/onnx-${size}/model.onnx`;
  const scanOnnx = await time(() => scanFile(onnx));
  result[`onnx_${size}`] = {
    modelBytes: statSync(onnx).size,
    externalBytes: statSync(`${OUT}/onnx-${size}/weights.bin`).size,
    scanMs: scanOnnx.ms,
    verdict: scanOnnx.last.verdict,
  };
}
console.log(JSON.stringify(result));
