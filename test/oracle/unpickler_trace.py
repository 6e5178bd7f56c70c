"""Differential oracle for issue 12 item 8: which globals CPython's two unpicklers resolve.

For each input, both pickle.Unpickler (the C _pickle implementation, which torch uses) and
pickle._Unpickler (the pure-Python one, which joblib's NumpyUnpickler and dill subclass) load it
through a subclass whose find_class records (module, name) and then refuses by raising: nothing
is imported, so nothing in the input can run. persistent_load refuses too.

Input: one pickle per stdin line, as 'b64:' + base64. Output: one JSON object per line,
{"c": [[module, name], ...], "py": [[module, name], ...]}. Pickles back to back are loaded one
after another, as pickle.load in a loop does, until one fails or is refused.

With 'seeds' as the only argument it prints instead the seed pickles the test mutates, written by
pickle.dumps itself (one 'b64:' line each): __reduce__ objects recording os.system at every
protocol (nothing is called when pickling).
"""
import base64
import io
import json
import os
import pickle
import sys


class Refused(Exception):
    pass


def tracer(base):
    class Tracer(base):
        def __init__(self, file, seen):
            super().__init__(file, encoding="latin1")
            self.seen = seen

        def find_class(self, module, name):
            self.seen.append([module, name])
            raise Refused(f"{module}.{name}")

        def persistent_load(self, pid):
            raise Refused("persistent id")

    return Tracer


TRACERS = {"c": tracer(pickle.Unpickler), "py": tracer(pickle._Unpickler)}


def trace(data, kind):
    seen = []
    f = io.BytesIO(data)
    try:
        while f.tell() < len(data):
            TRACERS[kind](f, seen).load()
    except BaseException:  # noqa: BLE001 - a refusal or any failure ends the load
        pass
    return seen


class System:
    def __reduce__(self):
        return (os.system, ("true",))


class Eval:
    def __reduce__(self):
        return (eval, ("1",))


def seeds():
    out = []
    for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
        out.append(pickle.dumps(System(), protocol=proto))
        out.append(pickle.dumps([1, "padding" * 3, System()], protocol=proto))
        out.append(pickle.dumps({"w": Eval()}, protocol=proto))
    return out


def main():
    if sys.argv[1:] == ["seeds"]:
        for s in seeds():
            print("b64:" + base64.b64encode(s).decode())
        return
    for line in sys.stdin:
        line = line.strip()
        if not line.startswith("b64:"):
            continue
        data = base64.b64decode(line[4:])
        print(json.dumps({"c": trace(data, "c"), "py": trace(data, "py")}))
    sys.stdout.flush()


main()
