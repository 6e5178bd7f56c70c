"""Test oracle for torchward convert: makes checkpoints with the real torch and checks outputs.

Usage (always /usr/bin/python3, Debian's torch 1.13 and numpy):
  torch_oracle.py make-benign DIR     writes benign checkpoints; prints a JSON manifest
  torch_oracle.py make-hostile DIR    writes hostile/malformed checkpoints; prints a JSON manifest
  torch_oracle.py check PAIRS.json    compares each (source, safetensors) pair; prints JSON results

`check` loads each source with torch.load(weights_only=True) and, only for the benign files this
script wrote itself (`"ours": true`), falls back to a plain torch.load when torch 1.13's
weights_only refuses them (floats, protocol 4). The safetensors file is parsed here by hand
(header per the spec) and every tensor read with np.frombuffer, then compared bit for bit.
Nothing here ever loads a hostile file.
"""
import collections
import io
import json
import os
import pickle
import pickletools
import struct
import sys
import zipfile

import numpy as np
import torch

DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32,
          torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64]
NP_OF_ST = {'F64': '<f8', 'F32': '<f4', 'F16': '<f2', 'BF16': '<u2', 'I64': '<i8', 'I32': '<i4',
            'I16': '<i2', 'I8': 'i1', 'U8': 'u1', 'BOOL': '?', 'C64': '<c8'}
ST_OF_TORCH = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
               torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
               torch.uint8: 'U8', torch.bool: 'BOOL', torch.complex64: 'C64'}


def sample(dtype, shape, seed):
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    if dtype.is_floating_point:
        t = torch.randn(shape, generator=g, dtype=torch.float64).to(dtype)
        flat = t.view(-1)
        if flat.numel() > 3:  # special values must survive bit for bit
            flat[0], flat[1], flat[2] = float('nan'), float('inf'), -0.0
        return t
    if dtype.is_complex:
        return torch.randn(shape, generator=g, dtype=torch.complex64)
    info = torch.iinfo(dtype)
    t = torch.randint(max(info.min, -1000), min(info.max, 1000), shape, generator=g, dtype=torch.int64).to(dtype)
    flat = t.view(-1)
    if flat.numel() > 2:
        flat[0], flat[1] = info.min, info.max
    return t


def benign():
    """name -> (object, save kwargs list)."""
    out = {}
    out['dtypes'] = {f'{str(d)[6:]}': sample(d, (3, 5), i) for i, d in enumerate(DTYPES)}
    base = torch.arange(60, dtype=torch.float32).reshape(3, 4, 5)
    out['views'] = {
        'base': base, 'row': base[1], 'col': base[:, 1, :], 'transposed': base.transpose(0, 2),
        'stepped': base[:, ::2, 1::2], 'expanded': torch.arange(4.0).expand(3, 4),
        'scalar': torch.tensor(3.5), 'empty': torch.zeros(0, 3), 'flat_window': base.view(-1)[7:19],
        'half_t': sample(torch.float16, (6, 7), 9).t(), 'bool_view': sample(torch.bool, (4, 4), 3)[::2],
    }
    emb = sample(torch.float32, (10, 4), 5)
    out['shared'] = collections.OrderedDict([('embed.weight', emb), ('head.weight', emb), ('head.part', emb[2:5])])
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    out['state_dict'] = model.state_dict()
    out['parameters'] = {'w': torch.nn.Parameter(sample(torch.float32, (3, 4), 1)),
                         'frozen': torch.nn.Parameter(sample(torch.float64, (2,), 2), requires_grad=False)}
    out['nested'] = {
        'model': model.state_dict(),
        'optimizer': {'state': {0: {'step': 3, 'exp_avg': sample(torch.float32, (3, 4), 4)}},
                      'param_groups': [{'lr': 0.125, 'betas': (0.9, 0.999), 'params': [0, 1], 'nesterov': False}]},
        'epoch': 7, 'name': 'run-1', 'flags': [True, None], 'big': 2 ** 70, 'neg': -5,
        'layers': [sample(torch.int32, (2,), 6), {'inner': sample(torch.uint8, (3,), 7)}],
    }
    out['root_tensor'] = sample(torch.float32, (4, 4), 8)
    out['int_only'] = {'a': torch.arange(5), 'names': ['x', 'y'], 'count': 2}
    big = sample(torch.float32, (512, 1024), 11)  # 2 MiB: several copy chunks when strided
    out['large'] = {'w': big, 'wt': big.t()}
    # Contiguous tensors larger than the writer's read-ahead (6 x 1 MiB), with sizes that end off
    # any chunk boundary, so the pipelined copy runs many chunks and a ragged tail.
    out['multichunk'] = {
        'f32': sample(torch.float32, (2048, 1031), 12),
        'u8': sample(torch.uint8, (10_000_003,), 13),
        'f64': sample(torch.float64, (1_500_001,), 14),
    }
    # Views the writer reorders block by block (tests run it with a tiny block budget too):
    # transposes and permutes of every item size, stepped and sliced views whose last element is
    # the storage's last, overlapping and broadcast (zero) strides.
    grid = sample(torch.float64, (10, 10), 15)
    out['reorder'] = {
        't_f32': sample(torch.float32, (40, 33), 16).t(),
        'perm_bf16': sample(torch.bfloat16, (4, 5, 6), 17).permute(2, 0, 1),
        'perm_c64': sample(torch.complex64, (3, 7), 18).t(),
        't_i8': sample(torch.int8, (9, 11), 19).t(),
        'stepped_f16': sample(torch.float16, (12, 10), 20)[::3, 1::2],
        'tail': grid.view(-1)[-7:],
        'last_col': grid[3:, 9],
        'corner_t': grid.t()[5:, 5:],
        'overlap': torch.arange(20, dtype=torch.int32).as_strided((5, 4), (2, 1), 3),
        'broadcast': torch.arange(3.0).view(3, 1).expand(3, 50),
    }
    return out


def make_benign(d):
    manifest = []
    for name, obj in benign().items():
        for variant, kwargs in [('zip', {}), ('legacy', {'_use_new_zipfile_serialization': False}),
                                ('p4', {'pickle_protocol': 4})]:
            if variant == 'p4' and name not in ('views', 'nested', 'state_dict'):
                continue
            path = os.path.join(d, f'{name}.{variant}.pt')
            torch.save(obj, path, **kwargs)
            manifest.append({'file': path, 'ours': True})
    a = np.arange(24, dtype='<f4').reshape(2, 3, 4)
    for name, arr in [('f4', a), ('be_f8', a.astype('>f8')), ('fortran', np.asfortranarray(a)),
                      ('bool', a > 5), ('i2', a.astype('<i2'))]:
        path = os.path.join(d, f'{name}.npy')
        np.save(path, arr)
        manifest.append({'file': path, 'ours': True, 'numpy': True})
    path = os.path.join(d, 'arrays.npz')
    np.savez(path, a=a, b=a.astype('>i4'))
    manifest.append({'file': path, 'ours': True, 'numpy': True})
    path = os.path.join(d, 'arrays_compressed.npz')
    np.savez_compressed(path, a=a, c=np.asfortranarray(a.astype('<f2')))
    manifest.append({'file': path, 'ours': True, 'numpy': True})
    return manifest + make_crafted(d)


class _Storage:
    def __init__(self, key, numel, storage_type=torch.FloatStorage, view=None):
        self.key, self.numel, self.type, self.view = key, numel, storage_type, view


class _Rebuild:
    def __init__(self, *args):
        self.args = args

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            if obj.view is not None:
                return ('storage', obj.type, obj.key, 'cpu', obj.numel, obj.view)
            return ('storage', obj.type, obj.key, 'cpu', obj.numel)
        return None


def _tensor(storage, offset, size, stride):
    return _Rebuild(storage, offset, size, stride, False, collections.OrderedDict())


def _torch_zip(path, obj, records, byteorder=None, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    _Pickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(path, 'w', compression) as z:
        z.writestr('archive/data.pkl', buf.getvalue())
        for key, data in records.items():
            z.writestr(f'archive/data/{key}', data)
        z.writestr('archive/version', '3\n')
        if byteorder is not None:
            z.writestr('archive/byteorder', byteorder)


def _torch_legacy(path, obj, storages):
    """The legacy stream layout of model-formats §3.4, written by hand: storages is [(key, numel, bytes)]."""
    with open(path, 'wb') as f:
        pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({'protocol_version': 1001, 'little_endian': True,
                     'type_sizes': {'short': 2, 'int': 4, 'long': 4}}, f, protocol=2)
        _Pickler(f, protocol=2).dump(obj)
        pickle.dump([k for k, _, _ in storages], f, protocol=2)
        for _key, numel, data in storages:
            f.write(struct.pack('<q', numel))
            f.write(data)


def make_crafted(d):
    """Benign layouts torch 1.13 reads but no longer writes; each has a torch-written reference."""
    manifest = []
    # big-endian data announced by a byteorder record (torch >= 2.1 writes it)
    values = {'f64': (torch.DoubleStorage, '>f8', torch.float64), 'f32': (torch.FloatStorage, '>f4', torch.float32),
              'i16': (torch.ShortStorage, '>i2', torch.int16), 'c64': (torch.ComplexFloatStorage, '>c8', torch.complex64),
              'u8': (torch.ByteStorage, 'u1', torch.uint8)}
    obj, records, ref = {}, {}, {}
    for i, (name, (stype, np_dtype, dtype)) in enumerate(values.items()):
        t = sample(dtype, (2, 3), 20 + i)
        obj[name] = _tensor(_Storage(str(i), 6, stype), 0, (3, 2), (1, 3))
        records[str(i)] = np.ascontiguousarray(t.numpy().astype(np_dtype)).tobytes()
        ref[name] = t.t()
    path = os.path.join(d, 'big_endian.zip.pt')
    _torch_zip(path, obj, records, byteorder='big')
    torch.save(ref, os.path.join(d, 'big_endian.ref.pt'))
    manifest.append({'file': path, 'ours': True, 'reference': os.path.join(d, 'big_endian.ref.pt')})
    # legacy storage views (view_metadata): two views into one root storage
    root = sample(torch.float32, (10,), 30)
    obj = {'head': _tensor(_Storage('root', 10, view=('v1', 2, 5)), 1, (2, 2), (2, 1)),
           'tail': _tensor(_Storage('root', 10, view=('v2', 7, 3)), 0, (3,), (1,))}
    path = os.path.join(d, 'legacy_views.pt')
    _torch_legacy(path, obj, [('root', 10, root.numpy().tobytes())])
    manifest.append({'file': path, 'ours': True})
    # deflated records (torch's miniz reader inflates them; torch itself writes them stored)
    t = sample(torch.float64, (4, 5), 50)
    path = os.path.join(d, 'deflated.zip.pt')
    _torch_zip(path, {'w': _tensor(_Storage('0', 20, torch.DoubleStorage), 0, (5, 4), (1, 5))},
               {'0': t.numpy().tobytes()}, compression=zipfile.ZIP_DEFLATED)
    manifest.append({'file': path, 'ours': True})
    # legacy tar (torch < 0.4 layout, model-formats §3.5), with a storage view and a strided tensor
    path = os.path.join(d, 'legacy.tar.pt')
    _torch_tar(path)
    manifest.append({'file': path, 'ours': True})
    return manifest


TAR_SPECS = [(200, '100', (3, 4), (4, 1), 0), (201, '101', (3, 2), (1, 3), 0), (202, '102', (2, 2), (1, 3), 1)]


def _torch_tar(path, specs=TAR_SPECS, views=(('102', '100', 4, 6),)):
    import tarfile
    a = sample(torch.float32, (12,), 40)
    b = sample(torch.int16, (6,), 41)
    storages = io.BytesIO()
    pickle.dump(2, storages, protocol=2)
    for key, t, stype in [('100', a, torch.FloatStorage), ('101', b, torch.ShortStorage)]:
        pickle.dump((key, 'cpu', stype), storages, protocol=2)
        storages.write(struct.pack('<q', t.numel()) + t.numpy().tobytes())
    pickle.dump(list(views), storages, protocol=2)  # (view, root, offset, numel): elements 4..9 of '100'
    tensors = io.BytesIO()
    pickle.dump(len(specs), tensors, protocol=2)
    for key, storage, size, stride, offset in specs:
        pickle.dump((key, storage, torch.FloatTensor), tensors, protocol=2)
        tensors.write(struct.pack('<i', len(size)) + b'\x00' * 4)
        tensors.write(struct.pack(f'<{len(size)}q', *size) + struct.pack(f'<{len(size)}q', *stride))
        tensors.write(struct.pack('<q', offset))

    class TarPickler(pickle.Pickler):
        def persistent_id(self, obj):
            return obj.key if isinstance(obj, _TensorKey) else None

    main = io.BytesIO()
    names = ['w', 'b', 'view']
    TarPickler(main, protocol=2).dump({names[i]: _TensorKey(str(spec[0])) for i, spec in enumerate(specs)})
    sys_info = pickle.dumps({'protocol_version': 1001, 'little_endian': True,
                             'type_sizes': {'short': 2, 'int': 4, 'long': 4}}, protocol=2)
    with tarfile.open(path, 'w:', format=tarfile.PAX_FORMAT) as t:
        for name, data in [('sys_info', sys_info), ('pickle', main.getvalue()),
                           ('tensors', tensors.getvalue()), ('storages', storages.getvalue())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))


class _TensorKey:
    def __init__(self, key):
        self.key = key


def make_hostile(d):
    """Each entry: a file the converter must refuse. Built by hand, never loaded here."""
    manifest = []
    f32 = struct.pack('<4f', 1, 2, 3, 4)
    cases = {
        # offset + (size - 1) * stride + 1 > numel (CVE-2026-24747 class)
        'oob_size': ({'w': _tensor(_Storage('0', 4), 0, (10,), (1,))}, {'0': f32}),
        'oob_offset': ({'w': _tensor(_Storage('0', 4), 3, (2,), (1,))}, {'0': f32}),
        'oob_stride': ({'w': _tensor(_Storage('0', 4), 0, (2, 2), (1, 3))}, {'0': f32}),
        # products that wrap a 64-bit integer
        'overflow': ({'w': _tensor(_Storage('0', 4), 0, (2 ** 62, 4), (4, 2 ** 62))}, {'0': f32}),
        'negative_stride': ({'w': _tensor(_Storage('0', 4), 3, (4,), (-1,))}, {'0': f32}),
        # storage record shorter than numel x itemsize, or missing
        'short_record': ({'w': _tensor(_Storage('0', 100), 0, (4,), (1,))}, {'0': f32}),
        'missing_record': ({'w': _tensor(_Storage('1', 4), 0, (4,), (1,))}, {'0': f32}),
        # one key declared with two different types
        'type_confusion': ({'a': _tensor(_Storage('0', 4), 0, (4,), (1,)),
                            'b': _tensor(_Storage('0', 2, torch.DoubleStorage), 0, (2,), (1,))}, {'0': f32}),
    }
    for name, (obj, records) in cases.items():
        path = os.path.join(d, f'{name}.pt')
        _torch_zip(path, obj, records)
        manifest.append({'file': path, 'case': name})
    # legacy tar: a tensor past its storage, a view past its root
    path = os.path.join(d, 'tar_oob.pt')
    _torch_tar(path, specs=[(200, '100', (20,), (1,), 0)])
    manifest.append({'file': path, 'case': 'tar_oob'})
    path = os.path.join(d, 'tar_view_oob.pt')
    _torch_tar(path, specs=[(200, '102', (2,), (1,), 0)], views=(('102', '100', 10, 6),))
    manifest.append({'file': path, 'case': 'tar_view_oob'})
    # a legacy view reaching past its root storage
    path = os.path.join(d, 'legacy_view_oob.pt')
    _torch_legacy(path, {'w': _tensor(_Storage('root', 4, view=('v', 2, 5)), 0, (2,), (1,))},
                  [('root', 4, f32)])
    manifest.append({'file': path, 'case': 'legacy_view_oob'})
    # a byteorder record that is neither little nor big
    path = os.path.join(d, 'byteorder_bad.pt')
    _torch_zip(path, {'w': _tensor(_Storage('0', 4), 0, (4,), (1,))}, {'0': f32}, byteorder='middle')
    manifest.append({'file': path, 'case': 'byteorder_bad'})
    # a legacy stream whose storage count disagrees with its persistent id
    legacy = os.path.join(d, 'legacy_count.pt')
    torch.save({'w': torch.arange(4.0)}, legacy, _use_new_zipfile_serialization=False)
    with open(legacy, 'r+b') as f:
        for _ in range(5):
            for _op in pickletools.genops(f):
                pass
        f.write(struct.pack('<q', 2))
    manifest.append({'file': legacy, 'case': 'legacy_count'})
    # a legacy stream cut inside its storage bytes
    cut = os.path.join(d, 'legacy_truncated.pt')
    torch.save({'w': torch.arange(64.0)}, cut, _use_new_zipfile_serialization=False)
    with open(cut, 'r+b') as f:
        f.truncate(os.path.getsize(cut) - 9)
    manifest.append({'file': cut, 'case': 'legacy_truncated'})
    # code execution: a raw pickle and a torch zip whose data.pkl calls os.system (inert argument)
    evil = b'\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.'
    with open(os.path.join(d, 'evil.pkl'), 'wb') as f:
        f.write(evil)
    manifest.append({'file': os.path.join(d, 'evil.pkl'), 'case': 'evil_pickle'})
    path = os.path.join(d, 'evil_zip.pt')
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', evil)
        z.writestr('archive/version', '3\n')
    manifest.append({'file': path, 'case': 'evil_zip'})
    # a safe-looking dict that also carries an object the loader has no business making
    path = os.path.join(d, 'not_a_checkpoint.bin')
    with open(path, 'wb') as f:
        f.write(b'\x00' * 64)
    manifest.append({'file': path, 'case': 'unknown_format'})
    return manifest


def flatten(obj, prefix, tensors, leaves, root=True):
    if isinstance(obj, torch.Tensor):
        tensors[prefix] = obj
        return
    if isinstance(obj, dict) and (root or has_tensor(obj)):
        for k, v in obj.items():
            flatten(v, f'{prefix}.{k}' if prefix else str(k), tensors, leaves, False)
        return
    if isinstance(obj, (list, tuple)) and (root or has_tensor(obj)):
        for i, v in enumerate(obj):
            flatten(v, f'{prefix}.{i}' if prefix else str(i), tensors, leaves, False)
        return
    leaves[prefix] = obj


def has_tensor(obj):
    if isinstance(obj, torch.Tensor):
        return True
    if isinstance(obj, dict):
        return any(has_tensor(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(has_tensor(v) for v in obj)
    return False


def plain(obj):
    """The JSON-able form of a leaf: tuples as lists, dict keys as strings, devices as str."""
    if isinstance(obj, torch.device):
        return str(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(plain(v) for v in obj)
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    errors = []
    (n,) = struct.unpack('<Q', data[:8])
    raw = data[8:8 + n]
    if raw[:1] != b'{':
        errors.append('header does not start with {')
    if n % 8 != 0:
        errors.append(f'header length {n} is not a multiple of 8')
    text = raw.decode('utf-8')
    if text != text.rstrip(' ') + ' ' * (len(text) - len(text.rstrip(' '))) or text.rstrip(' ')[-1:] != '}':
        errors.append('header padding is not spaces after the JSON')
    header = json.loads(text)
    meta = header.pop('__metadata__', {})
    entries = sorted(header.items(), key=lambda kv: kv[1]['data_offsets'])
    at = 0
    arrays = {}
    body = data[8 + n:]
    for name, info in entries:
        b, e = info['data_offsets']
        if b != at:
            errors.append(f'{name}: offsets not contiguous ({b} != {at})')
        at = e
        arr = np.frombuffer(body[b:e], dtype=np.dtype(NP_OF_ST[info['dtype']])).reshape(info['shape'])
        arrays[name] = (info['dtype'], arr, body[b:e])
    if at != len(body):
        errors.append(f'{len(body) - at} trailing bytes after the data')
    return meta, arrays, errors


def torch_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def check_pair(src, out, ours, numpy_src, reference=None):
    errors = []
    how = 'weights_only'
    if reference is not None:
        # a hand-written layout checked against the same tensors saved by torch itself
        src = reference
    if numpy_src:
        how = 'numpy'
        loaded = np.load(src, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            obj = {k: torch.from_numpy(np.ascontiguousarray(loaded[k]).astype(loaded[k].dtype.newbyteorder('<'))) for k in loaded.files}
        else:
            obj = torch.from_numpy(np.ascontiguousarray(loaded).astype(loaded.dtype.newbyteorder('<')))
    else:
        try:
            obj = torch.load(src, weights_only=True)
        except Exception as e:  # 1.13 refuses floats and protocol 4
            if not ours:
                return {'source': src, 'ok': False, 'errors': [f'weights_only refused: {e}']}
            how = 'plain (benign, generated by this script)'
            obj = torch.load(src)
    tensors, leaves = {}, {}
    flatten(obj, '', tensors, leaves)
    meta, arrays, errs = read_safetensors(out)
    errors += errs
    # Tied weights are written once; each dropped name must be an identical view of the kept one
    # in what torch loaded (same storage, offset, shape and strides), then compares as the kept one.
    for alias, kept in json.loads(meta.pop('torchward.aliases', '{}')).items():
        a, k = tensors.get(alias), tensors.get(kept)
        if a is None or k is None or kept not in arrays:
            errors.append(f'alias {alias} -> {kept}: not both in the checkpoint and the file')
            continue
        if (a.data_ptr(), a.shape, a.stride(), a.dtype) != (k.data_ptr(), k.shape, k.stride(), k.dtype):
            errors.append(f'alias {alias} -> {kept}: not an identical view')
        arrays[alias] = arrays[kept]
    if set(tensors) != set(arrays):
        errors.append(f'tensor names differ: torch {sorted(tensors)} vs file {sorted(arrays)}')
    for name, t in tensors.items():
        if name not in arrays:
            continue
        dtype, arr, raw = arrays[name]
        if ST_OF_TORCH.get(t.dtype) != dtype:
            errors.append(f'{name}: dtype {dtype} for {t.dtype}')
        if list(arr.shape) != list(t.shape):
            errors.append(f'{name}: shape {list(arr.shape)} for {list(t.shape)}')
        if raw != torch_bytes(t):
            errors.append(f'{name}: bytes differ')
        # numpy's view of the same bytes must equal torch's values, bit for bit
        ref = np.frombuffer(torch_bytes(t), dtype=arr.dtype).reshape(arr.shape)
        if not np.array_equal(arr.reshape(-1).view(np.uint8), ref.reshape(-1).view(np.uint8)):
            errors.append(f'{name}: numpy view differs')
    for name, value in leaves.items():
        if name not in meta:
            errors.append(f'leaf {name} missing from __metadata__')
            continue
        got = json.loads(meta[name])
        if isinstance(value, (set, frozenset)) and isinstance(got, list):
            got = sorted(got)  # a set's order is not kept by pickling
        if got != plain(value):
            errors.append(f'leaf {name}: {meta[name]} != {plain(value)!r}')
    return {'source': src, 'ok': not errors, 'errors': errors, 'how': how, 'tensors': len(tensors),
            'leaves': len(leaves)}


def main():
    cmd, arg = sys.argv[1], sys.argv[2]
    if cmd == 'make-benign':
        print(json.dumps(make_benign(arg)))
    elif cmd == 'make-hostile':
        print(json.dumps(make_hostile(arg)))
    elif cmd == 'check':
        with open(arg) as f:
            pairs = json.load(f)
        print(json.dumps([check_pair(p['source'], p['output'], p.get('ours', False), p.get('numpy', False),
                                     p.get('reference')) for p in pairs]))
    else:
        raise SystemExit(f'unknown command {cmd}')


if __name__ == '__main__':
    main()
