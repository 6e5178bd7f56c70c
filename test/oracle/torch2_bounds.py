"""Tensor geometry checkpoints for test/rules/pickle/tensor-bounds.test.ts (torch 2.13 venv python).

  make DIR   writes DIR/<case>.pt for each case below: a torch.save'd zip holding one float32
             storage of 4 elements (data/0, 16 bytes) whose data.pkl rebuilds a tensor with
             _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) from the
             case's geometry and declared numel (pickle protocol 2, as torch.save writes it); then
             loads each with
             torch.load(weights_only=True) and prints {case: {"loads": bool, "error"?: str}}
"""

import collections
import json
import os
import pickle
import sys
import warnings
import zipfile

import torch

CASES = {
    # name: (storage offset, sizes, strides[, numel the persistent id declares, default 4])
    'fits': (0, (2, 2), (2, 1)),
    'fits-offset': (2, (2,), (1,)),
    'offset-past-end': (100, (4,), (1,)),
    'offset-plus-size-past-end': (1, (4,), (1,)),
    'negative-size': (0, (-1,), (1,)),
    'numel-overflow': (0, (2 ** 62, 2 ** 62), (1, 1)),
    'stride-past-end': (0, (2, 2), (4, 1)),
    # The id declares 2 elements (8 bytes) of a 16-byte record: the view fits, the record does not.
    'record-larger-than-declared': (0, (2,), (1,), 2),
}


class _Storage:
    """Stands for storage '0' in the pickle; persistent_id turns it into the storage tuple."""


class _Tensor:
    def __init__(self, offset, size, stride, numel=4):
        self.args = (offset, size, stride)
        self.numel = numel

    def __reduce__(self):
        offset, size, stride = self.args
        return (torch._utils._rebuild_tensor_v2,
                (STORAGE, offset, size, stride, False, collections.OrderedDict()))


STORAGE = _Storage()


class _Pickler(pickle.Pickler):
    def __init__(self, file, numel):
        super().__init__(file, protocol=2)
        self.numel = numel

    def persistent_id(self, obj):
        if obj is STORAGE:
            return ('storage', torch.FloatStorage, '0', 'cpu', self.numel)
        return None


def data_pkl(offset, size, stride, numel=4):
    import io
    buf = io.BytesIO()
    _Pickler(buf, numel).dump({'w': _Tensor(offset, size, stride)})
    return buf.getvalue()


def make(folder):
    base = os.path.join(folder, 'base.pt')
    torch.save({'w': torch.arange(4.0)}, base)
    answers = {}
    for name, geometry in CASES.items():
        out = os.path.join(folder, f'{name}.pt')
        with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as zout:
            for info in zin.infolist():
                data = data_pkl(*geometry) if info.filename.endswith('/data.pkl') else zin.read(info.filename)
                zout.writestr(info.filename, data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                torch.load(out, weights_only=True, map_location='cpu')
            answers[name] = {'loads': True}
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            answers[name] = {'loads': False, 'error': f'{type(e).__name__}: {e}'[:2000]}
    print(json.dumps(answers))


if __name__ == '__main__':
    if sys.argv[1:2] != ['make'] or len(sys.argv) != 3:
        raise SystemExit('usage: torch2_bounds.py make DIR')
    make(sys.argv[2])
