#!/usr/bin/python3
"""Oracle: does torch 1.13 load a file with weights_only=True?

Reads a JSON list of paths on stdin; prints one JSON object {path: {"loads": bool, "error"?: str}}.
Each path is loaded in its own forked child process with a timeout (torch is imported once, in the
parent): TorchScript archives make torch 1.13 run their TorchScript code even under
weights_only=True (CVE-2025-32434), and a hostile input must not share a process with the others.
weights_only=False is never used.

Exit status: 0 on success, 2 when torch cannot be imported (the caller must fail loudly).
"""

import json
import os
import signal
import sys
import time

TIMEOUT_S = 60


def load_one(torch, path):
    """Forks a child (torch is imported once, in the parent) that runs torch.load on `path` and
    reports back through a pipe; the parent kills it after TIMEOUT_S."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            import warnings
            warnings.simplefilter('ignore')
            torch.load(path, weights_only=True, map_location='cpu')
            result = {'loads': True}
        except BaseException as e:  # noqa: BLE001 - every failure is an answer
            result = {'loads': False, 'error': f'{type(e).__name__}: {e}'.splitlines()[0][:500]}
        with os.fdopen(write_fd, 'w') as w:
            json.dump(result, w)
        os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_fd)
            return {'loads': False, 'error': f'timeout after {TIMEOUT_S}s'}
        time.sleep(0.005)
    with os.fdopen(read_fd) as r:
        text = r.read()
    if not text:
        return {'loads': False, 'error': f'child died (wait status {status})'}
    return json.loads(text)


def main():
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        print(f'torch_load.py: cannot import torch: {e}', file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(1)  # no worker threads alive across fork()
    paths = json.load(sys.stdin)
    results = {path: load_one(torch, path) for path in paths}
    json.dump(results, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
