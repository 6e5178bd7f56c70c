#!/usr/bin/python3
"""Oracle: does torch (Debian's 1.13, or the torch 2.13 venv) load a file with weights_only=True?

Reads a JSON list of paths on stdin; prints one JSON object {path: {"loads": bool, "error"?: str}}.
Each path is loaded in its own forked child process with a timeout (torch is imported once, in the
parent): TorchScript archives make torch 1.13 run their TorchScript code even under
weights_only=True (CVE-2025-32434), and a hostile input must not share a process with the others.
weights_only=False is never used.

Exit status: 0 on success, 2 when torch cannot be imported (the caller must fail loudly).
"""

import json
import os
import re
import signal
import sys
import time

TIMEOUT_S = 60
PARALLEL = 2


def start(torch, path):
    """Forks a child (torch is imported once, in the parent) that runs torch.load on `path` and
    writes its JSON answer to a pipe. Returns (pid, read end)."""
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
            text = f'{type(e).__name__}: {e}'
            # torch >= 2.6 puts advice first and the unpickler's reason after 'WeightsUnpickler error:'.
            reason = re.search(r'WeightsUnpickler error: \s*([^\n]*)', text)
            first = f'WeightsUnpickler error: {reason.group(1)}' if reason else text.splitlines()[0]
            result = {'loads': False, 'error': first[:500]}
        with os.fdopen(write_fd, 'w') as w:
            json.dump(result, w)
        os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def finish(pid, read_fd, status):
    with os.fdopen(read_fd) as r:
        text = r.read()
    if not text:
        return {'loads': False, 'error': f'child died (wait status {status})'}
    return json.loads(text)


def load_all(torch, paths):
    """Loads every path in its own child, PARALLEL at a time; kills a child after TIMEOUT_S."""
    results = {}
    queue = list(paths)
    running = {}  # pid -> (path, read_fd, deadline)
    while queue or running:
        while queue and len(running) < PARALLEL:
            path = queue.pop(0)
            pid, fd = start(torch, path)
            running[pid] = (path, fd, time.monotonic() + TIMEOUT_S)
        for pid, (path, fd, deadline) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                results[path] = finish(pid, fd, status)
                del running[pid]
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(fd)
                results[path] = {'loads': False, 'error': f'timeout after {TIMEOUT_S}s'}
                del running[pid]
        time.sleep(0.002)
    return results


def main():
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        print(f'torch_load.py: cannot import torch: {e}', file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(1)  # no worker threads alive across fork()
    paths = json.load(sys.stdin)
    results = load_all(torch, paths)
    json.dump(results, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
