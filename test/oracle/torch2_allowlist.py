"""torch 2.13 facts for test/rules/pickle/allowlist-torch2.test.ts (run with the torch 2.13 venv's python).

  facts              prints {"version", "allowed": [...], "opcodes": {name: byte}} from the live
                     torch._weights_only_unpickler (what it allows and which opcodes it implements)
  refused DIR NAME.. for each `module.name`, writes DIR/<i>.pt: a torch.save'd zip whose data.pkl
                     calls that global ({'x': GLOBAL()}, protocol 2), and DIR/proto<p>.pt for p in
                     2, 4, 5 (a plain state dict saved with pickle_protocol=p); then loads each with
                     torch.load(weights_only=True) and prints {file: {"loads": bool, "error"?: str}}
"""

import io
import json
import os
import pickle
import sys
import warnings
import zipfile

import torch
import torch._weights_only_unpickler as w


def facts():
    opcodes = {}
    for name in dir(w):
        value = getattr(w, name)
        # The opcode constants the module imports from pickle (bytes of length 1 named like them).
        if name.isupper() and isinstance(value, bytes) and len(value) == 1 and getattr(pickle, name, None) == value:
            opcodes[name] = value[0]
    print(json.dumps({
        'version': torch.__version__,
        'allowed': sorted(w._get_allowed_globals().keys()),
        'opcodes': opcodes,
    }))


def with_data_pkl(base, data_pkl, out):
    """Copies the zip `base` to `out` with its data.pkl replaced (same member order and names)."""
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = data_pkl if info.filename.endswith('/data.pkl') else zin.read(info.filename)
            zout.writestr(info.filename, data)


def load(path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            torch.load(path, weights_only=True, map_location='cpu')
        return {'loads': True}
    except Exception as e:  # noqa: BLE001 - every failure is an answer
        return {'loads': False, 'error': f'{type(e).__name__}: {e}'[:4000]}


def refused(folder, names):
    base = os.path.join(folder, 'base.pt')
    torch.save({'w': torch.zeros(2)}, base)
    files = []
    for i, full in enumerate(names):
        module, _, name = full.rpartition('.')
        # {'x': module.name()} as protocol 2 writes it: PROTO 2, EMPTY_DICT, BINUNICODE 'x', GLOBAL,
        # EMPTY_TUPLE, REDUCE, SETITEM, STOP.
        data = (b'\x80\x02}X\x01\x00\x00\x00xc' + module.encode() + b'\n' + name.encode() + b'\n)Rs.')
        out = os.path.join(folder, f'{i}.pt')
        with_data_pkl(base, data, out)
        files.append(out)
    for p in (2, 4, 5):
        out = os.path.join(folder, f'proto{p}.pt')
        torch.save({'w': torch.arange(4.0), 'lr': 0.1, 'name': 'x'}, out, pickle_protocol=p)
        files.append(out)
    print(json.dumps({f: load(f) for f in files}))


if __name__ == '__main__':
    if sys.argv[1] == 'facts':
        facts()
    elif sys.argv[1] == 'refused':
        refused(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(f'unknown command {sys.argv[1]}')
