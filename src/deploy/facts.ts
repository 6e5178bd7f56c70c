import {
  getMap,
  getNode,
  getScalar,
  type YMap,
  type YNode,
  type YScalar,
} from '../workflows/yaml-tree.js';
import type { DeployFile } from './model.js';
import { shellCommands, type Command, type Word } from './shell-words.js';

/** torchrun's MASTER_PORT default and the c10d rendezvous default (reference §4.2). */
export const DISTRIBUTED_DEFAULT_PORTS: readonly number[] = [29500, 29400];

/** A pod spec found in a manifest, with the labels of the template or pod that holds it. */
export interface PodSpec {
  readonly spec: YMap;
  readonly labels: ReadonlyMap<string, string>;
}

// Manifests nest a pod spec at most six levels down (JobSet); the walk is bounded by the tree,
// which parseYamlTree already bounds (depth 128, maxEntries nodes).
/** Every pod spec (a mapping with a `containers` sequence) in `root`, in document order. */
export function podSpecs(root: YNode): PodSpec[] {
  const out: PodSpec[] = [];
  const stack: { node: YNode; parent: YMap | undefined }[] = [{ node: root, parent: undefined }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { node, parent } = item;
    if (node.kind === 'map') {
      if (getNode(node, 'containers')?.kind === 'seq') {
        out.push({ spec: node, labels: labelsOf(parent) });
      }
      const children = [...node.entries.values()].reverse();
      for (const entry of children) stack.push({ node: entry.value, parent: node });
    } else if (node.kind === 'seq') {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const child = node.items[i];
        if (child !== undefined) stack.push({ node: child, parent: undefined });
      }
    }
  }
  return out.sort((a, b) => a.spec.span.start - b.spec.span.start);
}

function labelsOf(holder: YMap | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  const map = getMap(getMap(holder, 'metadata'), 'labels');
  for (const [key, entry] of map?.entries ?? []) {
    if (entry.value.kind === 'scalar') labels.set(key, entry.value.text);
  }
  return labels;
}

/** The containers and init containers of a pod spec. */
export function containersOf(spec: YMap): YMap[] {
  const out: YMap[] = [];
  for (const key of ['initContainers', 'containers']) {
    const list = getNode(spec, key);
    if (list?.kind !== 'seq') continue;
    for (const item of list.items) if (item.kind === 'map') out.push(item);
  }
  return out;
}

/** `env` entries of a container (`- name: X, value: Y`) as name → value scalar. */
export function containerEnv(container: YMap): Map<string, YScalar> {
  const out = new Map<string, YScalar>();
  const env = getNode(container, 'env');
  if (env?.kind !== 'seq') return out;
  for (const item of env.items) {
    const name = getScalar(item, 'name');
    const value = getScalar(item, 'value');
    if (name !== undefined && value !== undefined) out.set(name.text, value);
  }
  return out;
}

/**
 * The command line(s) of a YAML `command:`/`args:`/`entrypoint:` value: a sequence is one command
 * of its scalars, and each scalar holding spaces (an `sh -c` script, a compose string) is also
 * split as shell text, with spans inside the scalar when its text appears verbatim in the file.
 */
export function yamlCommands(text: string, values: readonly (YNode | undefined)[]): Command[] {
  const words: Word[] = [];
  const scripts: Command[] = [];
  for (const value of values) {
    if (value === undefined) continue;
    const scalars = value.kind === 'seq' ? value.items : [value];
    for (const scalar of scalars) {
      if (scalar.kind !== 'scalar') continue;
      if (/\s/.test(scalar.text)) {
        const source = text.slice(scalar.span.start, scalar.span.end);
        const at = source.indexOf(scalar.text);
        const split = shellCommands(scalar.text, scalar.span.start + Math.max(at, 0));
        if (at < 0) {
          for (const command of split)
            for (let i = 0; i < command.length; i++) {
              const w = command[i];
              if (w !== undefined) (command as Word[])[i] = { text: w.text, span: scalar.span };
            }
        }
        if (value.kind === 'scalar') words.push(...split.flat());
        else scripts.push(...split);
      } else {
        words.push({ text: scalar.text, span: scalar.span });
      }
    }
  }
  return words.length > 0 ? [words, ...scripts] : scripts;
}

/** The commands of a container: `command` and `args` together. */
export function containerCommands(text: string, container: YMap): Command[] {
  return yamlCommands(text, [getNode(container, 'command'), getNode(container, 'args')]);
}

/** The value of `--name=value` or `--name value` in a command (the first of `names` found). */
export function flagValue(command: Command, names: readonly string[]): Word | undefined {
  for (let i = 0; i < command.length; i++) {
    const word = command[i];
    if (word === undefined) continue;
    for (const name of names) {
      if (word.text === name) {
        return command[i + 1];
      }
      if (word.text.startsWith(`${name}=`)) {
        return { text: word.text.slice(name.length + 1), span: word.span };
      }
    }
  }
  return undefined;
}

/** The word that names `flag` (`--x` or `--x=…`), or undefined. */
export function flagWord(command: Command, names: readonly string[]): Word | undefined {
  return command.find((w) => names.some((n) => w.text === n || w.text.startsWith(`${n}=`)));
}

/** The index of the first word that is one of `programs` (a path's last part counts). */
export function programAt(command: Command, programs: readonly string[]): number {
  return command.findIndex((w) => programs.includes(w.text.slice(w.text.lastIndexOf('/') + 1)));
}

/** Whether an address binds every interface: 0.0.0.0, ::, [::], * or an empty host. */
export function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '*' || h === '';
}

/**
 * Ports a file declares for torch.distributed: the defaults, every MASTER_PORT value (YAML env,
 * compose environment, `export`/`ENV` lines) and the port of every `--master-port`/`--master_port`
 * and `--rdzv-endpoint`/`--rdzv_endpoint` in its commands or text.
 */
export function distributedPorts(file: DeployFile): Set<number> {
  const ports = new Set(DISTRIBUTED_DEFAULT_PORTS);
  const text = file.text;
  // One linear pass over the text catches every syntax above (YAML env lists excepted: the
  // `name:`/`value:` pair is read from the tree below).
  for (const m of text.matchAll(/MASTER_PORT["']?\s*[:=]\s*["']?(\d{1,5})\b/g))
    addPort(ports, m[1]);
  for (const m of text.matchAll(/--master[-_]port[= ]["']?(\d{1,5})\b/g)) addPort(ports, m[1]);
  for (const m of text.matchAll(/--rdzv[-_]endpoint[= ]["']?[^\s:"']*:(\d{1,5})\b/g))
    addPort(ports, m[1]);
  for (const root of file.documents) {
    for (const pod of podSpecs(root)) {
      for (const container of containersOf(pod.spec)) {
        const value = containerEnv(container).get('MASTER_PORT');
        if (value !== undefined) addPort(ports, value.text);
      }
    }
  }
  return ports;
}

function addPort(ports: Set<number>, text: string | undefined): void {
  const n = Number(text);
  if (Number.isInteger(n) && n > 0 && n < 65536) ports.add(n);
}

/** The number of a port scalar (`29500`, `"29500"`), or undefined. */
export function portNumber(node: YNode | undefined): number | undefined {
  if (node?.kind !== 'scalar') return undefined;
  const n = Number(node.text);
  return /^\d{1,5}$/.test(node.text) && n > 0 && n < 65536 ? n : undefined;
}

/** Markers of a torch.distributed workload in a pod spec: env, launcher or ports. */
export function isDistributedPod(text: string, spec: YMap, ports: ReadonlySet<number>): boolean {
  for (const container of containersOf(spec)) {
    const env = containerEnv(container);
    if (env.has('MASTER_PORT') || env.has('MASTER_ADDR') || env.has('PET_RDZV_ENDPOINT'))
      return true;
    for (const command of containerCommands(text, container)) {
      if (isTorchLauncher(command)) return true;
    }
    const list = getNode(container, 'ports');
    if (list?.kind === 'seq') {
      for (const p of list.items) {
        const n = portNumber(getNode(p, 'containerPort'));
        if (n !== undefined && ports.has(n)) return true;
      }
    }
  }
  return false;
}

/** `torchrun …`, `python -m torch.distributed.run|launch …`. */
export function isTorchLauncher(command: Command): boolean {
  if (programAt(command, ['torchrun']) >= 0) return true;
  return command.some(
    (w, i) =>
      w.text === '-m' && /^torch\.distributed\.(?:run|launch)$/.test(command[i + 1]?.text ?? ''),
  );
}

/**
 * Whether a manifest runs distributed PyTorch by its kind: a Kubeflow PyTorchJob or TrainJob, or a
 * Volcano Job with the `pytorch` plugin (which sets MASTER_ADDR/MASTER_PORT). JobSets and other
 * Volcano Jobs count through their pod specs (isDistributedPod).
 */
export function isDistributedKind(root: YNode): boolean {
  const apiVersion = getScalar(root, 'apiVersion')?.text ?? '';
  const kind = getScalar(root, 'kind')?.text ?? '';
  if (kind === 'PyTorchJob' && apiVersion.startsWith('kubeflow.org/')) return true;
  if (kind === 'TrainJob' && apiVersion.startsWith('trainer.kubeflow.org/')) return true;
  return (
    kind === 'Job' &&
    apiVersion.startsWith('batch.volcano.sh/') &&
    getMap(getMap(root, 'spec'), 'plugins')?.entries.has('pytorch') === true
  );
}

/** What a distributed port is, for messages. */
export function describePort(port: number): string {
  return port === 29400
    ? 'the c10d rendezvous store, whose pickled state every agent loads'
    : 'a torch.distributed TCPStore';
}

/** Whether a compose/YAML port text or node names a published port range holding `port`. */
export function rangeHolds(range: string, port: number): boolean {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(range);
  if (m === null) return false;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  return port >= low && port <= high;
}

/** A compose `ports:` entry, read: the host address, the published and the container ports. */
export interface ComposePort {
  readonly hostIp: string;
  readonly published: string;
  readonly target: string;
  readonly node: YNode;
}

/** Reads compose `ports:` entries in short (`[ip:][host:]container[/proto]`) and long syntax. */
export function composePorts(list: YNode | undefined): ComposePort[] {
  const out: ComposePort[] = [];
  if (list?.kind !== 'seq') return out;
  for (const item of list.items) {
    if (item.kind === 'scalar') {
      const text = item.text.replace(/\/(?:tcp|udp|sctp)$/i, '');
      const ip = /^(\[[^\]]*\]|\d+\.\d+\.\d+\.\d+|[A-Za-z][\w.-]*):(.*)$/.exec(text);
      const hostIp = ip === null ? '' : (ip[1] ?? '');
      const rest = (ip === null ? text : (ip[2] ?? '')).split(':');
      const target = rest[rest.length - 1] ?? '';
      const published = rest.length > 1 ? (rest[0] ?? '') : '';
      out.push({ hostIp, published, target, node: item });
    } else if (item.kind === 'map') {
      out.push({
        hostIp: getScalar(item, 'host_ip')?.text ?? '',
        published: getScalar(item, 'published')?.text ?? '',
        target: getScalar(item, 'target')?.text ?? '',
        node: item,
      });
    }
  }
  return out;
}

/** The commands of a compose service: `entrypoint` then `command`. */
export function composeCommands(text: string, service: YMap): Command[] {
  return yamlCommands(text, [getNode(service, 'entrypoint'), getNode(service, 'command')]);
}

/** The value of `NAME` in a compose service's `environment` (list `NAME=v` or mapping). */
export function composeEnv(service: YMap, name: string): string | undefined {
  const env = getNode(service, 'environment');
  if (env?.kind === 'map') return getScalar(env, name)?.text;
  if (env?.kind === 'seq') {
    for (const item of env.items) {
      if (item.kind === 'scalar' && item.text.startsWith(`${name}=`))
        return item.text.slice(name.length + 1);
    }
  }
  return undefined;
}
