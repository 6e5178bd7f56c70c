import { rmSync } from 'node:fs';

/**
 * Temporary outputs that must not outlive the process: a conversion registers its temporary file
 * or folder here while it writes, and unregisters it once renamed into place or removed. On
 * SIGINT, SIGTERM or SIGHUP every registered path is removed before the signal takes its default
 * effect (the handler re-raises it), so an interrupted conversion leaves no hidden partial file.
 */
const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removeAll(): void {
  for (const path of live) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Best effort: the process is going away; nothing else can be done about it here.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstall();
  // With our listener gone and no other, the re-raised signal terminates the process as it would
  // have without us (exit status 128 + n for a shell); another listener keeps its own behaviour.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', removeAll);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off('exit', removeAll);
}

/**
 * Registers `path` (a file or a folder) for removal if the process is interrupted or exits before
 * the returned function is called; that function unregisters it (call it once the path has been
 * renamed away or removed). Handlers are installed only while something is registered.
 */
export function trackTemporary(path: string): () => void {
  live.add(path);
  install();
  return () => {
    live.delete(path);
    if (live.size === 0) uninstall();
  };
}
