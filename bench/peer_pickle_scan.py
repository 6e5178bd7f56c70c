#!/usr/bin/python3
"""The benchmark's stand-in peer for picklescan (bench/process.mjs).

picklescan, fickling and modelscan are not installable on this machine (none is in the local
package index named by `pip config list`, and there is no other network). picklescan's own scan is
a walk of each pickle's opcodes with the standard library's pickletools.genops, reading every
`*.pkl` member of a zip, and collecting the GLOBAL / STACK_GLOBAL imports; this script does that
same work, and nothing more (no verdict tables), so its time is a floor for picklescan's.

Usage: /usr/bin/python3 bench/peer_pickle_scan.py PATH...   (files or folders)
Prints one line: files scanned and globals seen.
"""

import io
import os
import pickletools
import sys
import zipfile


def globals_in(data):
    found = []
    strings = []
    try:
        for op, arg, _pos in pickletools.genops(io.BytesIO(data)):
            if op.name in ('SHORT_BINUNICODE', 'BINUNICODE', 'UNICODE', 'STRING',
                           'BINSTRING', 'SHORT_BINSTRING'):
                strings.append(arg)
            elif op.name == 'GLOBAL':
                found.append(arg.replace(' ', '.'))
            elif op.name == 'STACK_GLOBAL' and len(strings) >= 2:
                found.append(f'{strings[-2]}.{strings[-1]}')
    except Exception:  # noqa: BLE001 - a scanner reports, it does not crash
        found.append('<error>')
    return found


def scan(path):
    with open(path, 'rb') as f:
        head = f.read(4)
    if head == b'PK\x03\x04':
        out = []
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith('.pkl'):
                    out += globals_in(z.read(name))
        return out
    with open(path, 'rb') as f:
        return globals_in(f.read())


def main():
    files = 0
    seen = 0
    for arg in sys.argv[1:]:
        paths = [arg]
        if os.path.isdir(arg):
            paths = sorted(os.path.join(d, n) for d, _, ns in os.walk(arg) for n in ns)
        for p in paths:
            files += 1
            seen += len(scan(p))
    print(files, seen)


main()
