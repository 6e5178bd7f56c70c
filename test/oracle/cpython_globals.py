"""CPython oracle for the pickle VM: drives CPython's own C unpickler (pickle.Unpickler is the
C _pickle implementation) over each input and records every (module, name) its find_class is
asked for. find_class returns an inert stub class and never imports anything; persistent_load
returns a stub. Nothing in the input can reach real code: every callable the stream can get
comes from find_class or persistent_load.

Input: one pickle per stdin line, as 'b64:' + base64. Output: one JSON object per line,
{"globals": [[module, name], ...], "error": str | null}. find_class receives the names as
written in the stream (fix_imports and dotted-path handling live in the default find_class).
Several pickles back to back are loaded one after another, as pickle.load in a loop does.
"""
import base64
import io
import json
import pickle
import sys


class Stub:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return Stub()

    def __setstate__(self, state):
        pass

    def append(self, item):
        pass

    def extend(self, items):
        pass

    def __setitem__(self, key, value):
        pass

    def add(self, item):
        pass


class Recorder(pickle.Unpickler):
    def __init__(self, file, seen):
        # latin-1 decodes every py2 str, as torchward does, so CPython gets as far as possible.
        super().__init__(file, encoding="latin1")
        self.seen = seen

    def find_class(self, module, name):
        self.seen.append([module, name])
        return type(str(name), (Stub,), {})

    def persistent_load(self, pid):
        return Stub()


def run(data):
    seen = []
    error = None
    f = io.BytesIO(data)
    try:
        while f.tell() < len(data):
            Recorder(f, seen).load()
    except BaseException as e:  # noqa: BLE001 - any failure ends the load, as in the real loader
        error = type(e).__name__
    return {"globals": seen, "error": error}


def main():
    sys.setrecursionlimit(10000)
    for line in sys.stdin:
        line = line.strip()
        if not line.startswith("b64:"):
            continue
        print(json.dumps(run(base64.b64decode(line[4:]))), flush=False)
    sys.stdout.flush()


main()
