"""Writes benign torch checkpoints with real torch (Debian's 1.13) and prints, per case, the
data.pkl bytes (base64) and the stored byte size of every data/<key> member as JSON lines.
Used by test/rules/pickle/torch-safe.test.ts. Run with /usr/bin/python3."""
import base64
import collections
import io
import json
import zipfile

import torch

cases = {}
lin = torch.nn.Linear(3, 2)
cases["linear state_dict"] = lin.state_dict()
cases["parameter"] = {"p": torch.nn.Parameter(torch.ones(2, 2))}
base = torch.arange(12, dtype=torch.float32)
cases["views of one storage"] = {"a": base, "b": base[2:6], "c": base.view(3, 4).t()}
cases["every dtype"] = {str(d): torch.zeros(2, dtype=d) for d in [
    torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.int16,
    torch.int32, torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128]}
cases["plain data"] = {"lr": 0.1, "n": 2**40, "s": "x", "b": b"raw", "l": [1, (2, None)], "t": True}
cases["ordered dict nesting"] = collections.OrderedDict(x=collections.OrderedDict(y=torch.ones(1)))
cases["sparse coo"] = {"s": torch.eye(3).to_sparse()}
cases["protocol 4"] = ({"w": torch.ones(3)}, 4)
cases["device and size"] = {"d": torch.device("cpu"), "size": torch.Size([2, 3])}

for name, obj in cases.items():
    protocol = 2
    if isinstance(obj, tuple):
        obj, protocol = obj
    buf = io.BytesIO()
    torch.save(obj, buf, pickle_protocol=protocol)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    data = None
    storages = {}
    for info in z.infolist():
        parts = info.filename.split("/")
        if parts[-1] == "data.pkl":
            data = z.read(info)
        elif len(parts) == 3 and parts[1] == "data":
            storages[parts[2]] = info.file_size
    print(json.dumps({"name": name, "pickle": base64.b64encode(data).decode(), "storages": storages}))
