"""Writes real pickle-family artifacts into the directory argv[1] with their real writers
(Debian's torch 1.13, joblib, numpy, pickle). Payloads are inert: the "evil" objects reduce
to os.system with a harmless argument, and nothing here ever loads them.
Used by test/engine/handlers/pickle.test.ts."""
import os
import pickle
import sys

import joblib
import numpy as np
import torch

out = sys.argv[1]


def path(name):
    return os.path.join(out, name)


class Evil:
    def __reduce__(self):
        return (os.system, ("true",))


base = torch.arange(12, dtype=torch.float32)
state = {
    "w": base.view(3, 4),
    "v": base[2:6],
    "b": torch.ones(3, dtype=torch.bfloat16),
    "i": torch.arange(5, dtype=torch.int64),
    "p": torch.nn.Parameter(torch.zeros(2)),
}
torch.save(state, path("legacy.pt"), _use_new_zipfile_serialization=False)
torch.save(state, path("legacy-p1.pt"), _use_new_zipfile_serialization=False, pickle_protocol=1)
torch.save(state, path("legacy-p4.pt"), _use_new_zipfile_serialization=False, pickle_protocol=4)
torch.save({"w": torch.ones(2), "evil": Evil()}, path("legacy-evil.pt"), _use_new_zipfile_serialization=False)

# Bypass C11: the legacy magic computed by eval, then the rest of a legacy file.
benign = open(path("legacy.pt"), "rb").read()
magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
assert benign.startswith(magic)
computed = b"c__builtin__\neval\n(V0x1950A86A20F9469CFC6C\ntR."
open(path("legacy-magic-eval.pt"), "wb").write(computed + benign[len(magic):])

joblib.dump(
    {"a": np.arange(10), "f": np.ones((3, 3), dtype="f4"), "o": np.array([1, "x"], dtype=object), "s": "str"},
    path("model.joblib"),
)
joblib.dump([np.arange(7, dtype="int16"), Evil()], path("evil.joblib"))

open(path("payload-junk.bin"), "wb").write(pickle.dumps(Evil(), protocol=2)[:-1] + b"\xff\xfe")
open(path("benign-proto0"), "wb").write(pickle.dumps({"a": [1, 2.5, "x"], "b": (None, True)}, protocol=0))
open(path("two-pickles.pkl"), "wb").write(pickle.dumps([1, 2], protocol=4) + pickle.dumps(Evil(), protocol=4))
