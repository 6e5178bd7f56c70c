"""Real torch for the sandbox tests: writes the checkpoints (benign, and hostile pickles whose
payload is Python source run by exec at load time) and compares `sandbox load` output with the
original checkpoint, bit for bit.

  python3 sandbox_oracle.py make-benign OUT.pt
  python3 sandbox_oracle.py make-hostile OUT.pt PAYLOAD_SOURCE
  python3 sandbox_oracle.py compare CHECKPOINT OUT.safetensors
"""
import argparse
import json
import struct
import sys

import numpy
import torch


class Payload:
    """Pickles as exec(source): the classic __reduce__ gadget, run by torch.load."""

    def __init__(self, source):
        self.source = source

    def __reduce__(self):
        return (exec, (self.source,))


def make_benign(path):
    torch.manual_seed(0)
    state = {
        'model': {
            'linear.weight': torch.randn(4, 3),
            'linear.bias': torch.randn(4),
            'emb': torch.randn(5, 2).to(torch.bfloat16),
            'half': torch.randn(3).half(),
            'steps': torch.arange(6, dtype=torch.int64).reshape(2, 3),
            'mask': torch.tensor([True, False, True]),
            'strided': torch.randn(6, 4)[::2, 1:],
        },
        'args': argparse.Namespace(lr=0.001, arch='mlp', layers=[2, 3], seed=numpy.int64(7)),
        'epoch': numpy.int64(12),
        'best_acc': numpy.float32(0.875),
        'steps_per_epoch': 100,
    }
    torch.save(state, path)


def flatten(key, value, out, depth=0):
    if isinstance(value, torch.Tensor):
        out[key] = value
    elif isinstance(value, dict):
        for k, v in value.items():
            flatten(str(k) if key == '' else key + '.' + str(k), v, out, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            flatten(str(i) if key == '' else key + '.' + str(i), v, out, depth + 1)
    elif isinstance(value, argparse.Namespace):
        flatten(key, vars(value), out, depth + 1)


DTYPES = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
          'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8,
          'U8': torch.uint8, 'BOOL': torch.bool, 'C64': torch.complex64}


def read_safetensors(path):
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop('__metadata__', {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        raw = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.uint8) if end > begin else torch.empty(0, dtype=torch.uint8)
        tensors[name] = raw.view(DTYPES[info['dtype']]).reshape(info['shape'])
    return tensors, meta


def as_bytes(t):
    t = t.detach().contiguous()
    return t.reshape(-1).view(torch.uint8) if t.numel() > 0 else torch.empty(0, dtype=torch.uint8)


def compare(checkpoint, output):
    # The test wrote this checkpoint itself, so the full (unsafe) load is fine here.
    original = torch.load(checkpoint, map_location='cpu', weights_only=False)
    expected = {}
    flatten('', original, expected)
    got, meta = read_safetensors(output)
    errors = []
    if sorted(got) != sorted(expected):
        errors.append('keys differ: %r vs %r' % (sorted(got), sorted(expected)))
    for name, t in expected.items():
        if name not in got:
            continue
        g = got[name]
        if g.dtype != t.dtype or list(g.shape) != list(t.shape):
            errors.append('%s: %s%s vs %s%s' % (name, g.dtype, list(g.shape), t.dtype, list(t.shape)))
        elif not torch.equal(as_bytes(g), as_bytes(t)):
            errors.append('%s: bytes differ' % name)
    library = None
    try:
        from safetensors.torch import load_file
        lib = load_file(output)
        library = sorted(lib) == sorted(expected) and all(
            lib[k].dtype == expected[k].dtype and torch.equal(as_bytes(lib[k]), as_bytes(expected[k])) for k in expected)
        if not library:
            errors.append('the safetensors library read different tensors')
    except ImportError:
        pass
    print(json.dumps({'ok': not errors, 'errors': errors, 'tensors': len(got), 'metadata': meta,
                      'safetensorsLibrary': library, 'torch': torch.__version__}))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'make-benign':
        make_benign(sys.argv[2])
    elif cmd == 'make-hostile':
        torch.save({'weight': torch.ones(2, 2), 'payload': Payload(sys.argv[3])}, sys.argv[2])
    elif cmd == 'compare':
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit('unknown command ' + cmd)
