// The page at `/` and `/scans/{id}`: files dropped or picked are scanned in a Web Worker by the
// bundled engine (no upload), or, with "Send to the server" on, posted to POST /v1/scans and
// followed on the scan's status page. The DOM is reached through the small typed subset below
// (the project compiles without the DOM library).
import type { ScanMessage } from './worker.js';

interface Node_ {
  textContent: string | null;
}
interface Elem extends Node_ {
  hidden: boolean;
  className: string;
  append(...nodes: (Elem | string)[]): void;
  replaceChildren(...nodes: (Elem | string)[]): void;
  addEventListener(type: string, listener: (event: DomEvent) => void): void;
  classList: { add(name: string): void; remove(name: string): void };
  setAttribute(name: string, value: string): void;
}
interface Input extends Elem {
  checked: boolean;
  value: string;
  files: ArrayLike<WebFile> | null;
}
interface WebFile {
  readonly name: string;
  readonly size: number;
  readonly webkitRelativePath?: string;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}
interface Entry {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly fullPath: string;
  file?(ok: (f: WebFile) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (e: Entry[]) => void, fail: (e: unknown) => void): void };
}
interface DomEvent {
  preventDefault(): void;
  readonly dataTransfer?: { readonly items: ArrayLike<{ webkitGetAsEntry(): Entry | null }> };
}
interface Doc {
  getElementById(id: string): Elem | null;
  createElement(tag: string): Elem;
}
interface WorkerLike {
  onmessage: ((event: { readonly data: ScanMessage }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
interface Win {
  readonly document: Doc;
  readonly location: { readonly pathname: string; assign(url: string): void };
  Worker: new (url: string, options: { type: 'module' }) => WorkerLike;
}

/** A finding as the JSON report has it. */
interface JsonFinding {
  readonly ruleId: string;
  readonly severity: string;
  readonly verdict?: string;
  readonly message: string;
  readonly location: { readonly member?: string; readonly offset?: number; readonly line?: number };
}
interface JsonReport {
  readonly files: readonly {
    readonly path: string;
    readonly format: string;
    readonly verdict: string | null;
    readonly findings: readonly JsonFinding[];
  }[];
}
interface RuleHelp {
  readonly title: string;
  readonly why: string;
  readonly fix: string;
}

const win = globalThis as unknown as Win;
const doc = win.document;

function byId(id: string): Elem {
  const el = doc.getElementById(id);
  if (el === null) throw new Error(`page element #${id} is missing`);
  return el;
}

function inputById(id: string): Input {
  return byId(id) as Input;
}

function el(tag: string, text?: string, className?: string): Elem {
  const e = doc.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className !== undefined) e.className = className;
  return e;
}

const state = byId('state');
const results = byId('results');
const verdictBox = byId('verdict');
let rules: Record<string, RuleHelp> | undefined;

async function ruleHelp(): Promise<Record<string, RuleHelp>> {
  if (rules !== undefined) return rules;
  try {
    const res = await fetch('/static/rules.json');
    rules = res.ok ? ((await res.json()) as Record<string, RuleHelp>) : {};
  } catch {
    rules = {};
  }
  return rules;
}

const ORDER = ['safe', 'invalid', 'suspicious', 'malicious'];

/** Shows a report: the worst verdict, then each file with its findings, explanation and fix. */
async function showReport(report: JsonReport): Promise<void> {
  const help = await ruleHelp();
  let worst = 'safe';
  for (const f of report.files) {
    if (f.verdict !== null && ORDER.indexOf(f.verdict) > ORDER.indexOf(worst)) worst = f.verdict;
  }
  const badge = el('span', worst, `verdict verdict-${worst}`);
  badge.setAttribute('data-verdict', worst);
  verdictBox.replaceChildren(badge);
  results.replaceChildren();
  for (const file of report.files) {
    const box = el('div', undefined, 'file');
    box.setAttribute('data-path', file.path);
    box.append(el('h3', `${file.path}: ${file.verdict ?? 'audited'} (${file.format})`));
    for (const f of file.findings) {
      const item = el('div', undefined, 'finding');
      const where =
        f.location.member !== undefined
          ? ` in ${f.location.member}`
          : f.location.line !== undefined
            ? ` at line ${f.location.line}`
            : '';
      item.append(el('h4', `${f.severity} ${f.ruleId}${where}`));
      item.append(el('p', f.message));
      const h = help[f.ruleId];
      if (h !== undefined) {
        item.append(el('p', `Why it matters: ${h.why}`, 'explain'));
        item.append(el('p', `Fix: ${h.fix}`, 'explain'));
      }
      box.append(item);
    }
    if (file.findings.length === 0) box.append(el('p', 'No findings.'));
    results.append(box);
  }
}

function scanInBrowser(files: { path: string; blob: WebFile }[]): void {
  state.textContent = `Scanning ${files.length} file(s) in your browser…`;
  const worker = new win.Worker('/static/worker.js', { type: 'module' });
  worker.onmessage = (event) => {
    const msg = event.data;
    if (msg.kind === 'progress') {
      state.textContent = `Scanned ${msg.done} of ${msg.total}: ${msg.path}`;
    } else if (msg.kind === 'report') {
      worker.terminate();
      state.textContent = 'Scanned in your browser (nothing was uploaded).';
      void showReport(msg.report as JsonReport);
    } else {
      worker.terminate();
      state.textContent = `The scan failed: ${msg.message}`;
    }
  };
  worker.postMessage({ files });
}

async function sendToServer(files: { path: string; blob: WebFile }[]): Promise<void> {
  const first = files[0];
  if (first === undefined) return;
  if (files.length > 1) {
    state.textContent = 'The server takes one file per scan: sending the first one.';
  }
  const form = new FormData();
  form.append('file', first.blob, first.path);
  const key = inputById('api-key').value.trim();
  const res = await fetch('/v1/scans', {
    method: 'POST',
    body: form,
    headers: key === '' ? {} : { authorization: `Bearer ${key}` },
  });
  const body = (await res.json()) as { id?: string; message?: string };
  if (!res.ok || body.id === undefined) {
    state.textContent = `The server refused the upload (${res.status}): ${body.message ?? ''}`;
    return;
  }
  win.location.assign(`/scans/${body.id}`);
}

function submit(files: { path: string; blob: WebFile }[]): void {
  if (files.length === 0) return;
  if (inputById('to-server').checked) {
    sendToServer(files).catch((error: unknown) => {
      state.textContent = `Upload failed: ${String(error)}`;
    });
  } else {
    scanInBrowser(files);
  }
}

function fromInput(input: Input): { path: string; blob: WebFile }[] {
  const out: { path: string; blob: WebFile }[] = [];
  const list = input.files;
  if (list === null) return out;
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    if (f === undefined) continue;
    const rel = f.webkitRelativePath;
    out.push({ path: rel === undefined || rel === '' ? f.name : rel, blob: f });
  }
  return out;
}

async function walkEntry(entry: Entry, out: { path: string; blob: WebFile }[]): Promise<void> {
  if (entry.isFile && entry.file !== undefined) {
    const read = entry.file.bind(entry);
    const file = await new Promise<WebFile>((ok, fail) => {
      read(ok, fail);
    });
    out.push({ path: entry.fullPath.replace(/^\//, ''), blob: file });
  } else if (entry.isDirectory && entry.createReader !== undefined) {
    const reader = entry.createReader();
    // readEntries returns a batch at a time, an empty one at the end.
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => {
        reader.readEntries(ok, fail);
      });
      if (batch.length === 0) break;
      for (const child of batch) await walkEntry(child, out);
    }
  }
}

function statusPage(id: string): void {
  byId('scan-view').hidden = true;
  byId('status-view').hidden = false;
  byId('scan-id').textContent = id;
  const poll = async (): Promise<void> => {
    const res = await fetch(`/v1/scans/${encodeURIComponent(id)}`);
    const body = (await res.json()) as { status?: string; report?: JsonReport; message?: string };
    if (!res.ok) {
      state.textContent = `No such scan (${res.status}): ${body.message ?? ''}`;
      return;
    }
    state.textContent = `Status: ${body.status ?? 'unknown'}`;
    state.setAttribute('data-status', body.status ?? 'unknown');
    if (body.status === 'done' && body.report !== undefined) {
      await showReport(body.report);
      return;
    }
    if (body.status !== 'failed') setTimeout(() => void poll(), 500);
  };
  void poll();
}

const scanPath = /^\/scans\/([^/]+)$/.exec(win.location.pathname);
if (scanPath?.[1] !== undefined) {
  statusPage(decodeURIComponent(scanPath[1]));
} else {
  const toServer = inputById('to-server');
  toServer.addEventListener('change', () => {
    byId('key-label').hidden = !toServer.checked;
  });
  for (const id of ['pick-files', 'pick-folder']) {
    const input = inputById(id);
    input.addEventListener('change', () => {
      submit(fromInput(input));
    });
  }
  const drop = byId('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => {
    drop.classList.remove('over');
  });
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const items = event.dataTransfer?.items;
    if (items === undefined) return;
    const entries: Entry[] = [];
    for (let i = 0; i < items.length; i++) {
      const entry = items[i]?.webkitGetAsEntry() ?? null;
      if (entry !== null) entries.push(entry);
    }
    const files: { path: string; blob: WebFile }[] = [];
    Promise.all(entries.map((e) => walkEntry(e, files))).then(
      () => {
        submit(files);
      },
      (error: unknown) => {
        state.textContent = `Could not read the drop: ${String(error)}`;
      },
    );
  });
}
