/**
 * The Python program `torchward sandbox load` runs inside the sandbox with Debian's torch:
 * `torch.load(weights_only=False)` (the unsafe load, which is the point: it runs inside the
 * sandbox), then every tensor reachable through dicts, lists, tuples, modules and objects'
 * attributes is written to a safetensors file it creates itself (torch 1.13 has no safetensors
 * package). Keys are joined with '.'; plain values (str, int, float, bool, None, numpy scalars)
 * go into __metadata__ as JSON text. The file it writes is untrusted like everything the command
 * does: torchward validates it before it calls the load a success.
 *
 * argv: CHECKPOINT OUT
 */
export const LOAD_SCRIPT = String.raw`
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
import numpy
import torch

DTYPES = {
    torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL', torch.complex64: 'C64',
}
obj = torch.load(src, map_location='cpu', weights_only=False)
tensors, meta, skipped = {}, {}, []
seen = set()

def walk(key, value, depth):
    if depth > 64:
        skipped.append(key)
        return
    if isinstance(value, torch.Tensor):
        tensors[key] = value
        return
    if value is None or isinstance(value, (str, int, float, bool)):
        meta[key] = json.dumps(value)
        return
    if isinstance(value, numpy.generic) and value.dtype.kind in 'biuf':
        meta[key] = json.dumps(value.item())
        return
    if isinstance(value, numpy.ndarray) and value.dtype.kind in 'biuf':
        tensors[key] = torch.from_numpy(numpy.ascontiguousarray(value))
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, torch.nn.Module):
        value = value.state_dict()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    elif hasattr(value, '__dict__'):
        items = vars(value).items()
    else:
        skipped.append(key)
        return
    for k, v in items:
        walk(str(k) if key == '' else key + '.' + str(k), v, depth + 1)

walk('', obj, 0)
header, blobs, offset = {}, [], 0
for name in sorted(tensors):
    t = tensors[name].detach()
    if t.is_sparse or t.is_quantized or t.dtype not in DTYPES:
        skipped.append(name)
        continue
    t = t.cpu().contiguous()
    data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
    header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
if meta:
    header['__metadata__'] = meta
text = json.dumps(header, separators=(',', ':')).encode('utf-8')
text += b' ' * (-len(text) % 8)
with open(dst, 'xb') as f:
    f.write(len(text).to_bytes(8, 'little'))
    f.write(text)
    for data in blobs:
        f.write(data)
print(json.dumps({'tensors': len(header) - (1 if meta else 0), 'skipped': skipped[:100]}))
`;
