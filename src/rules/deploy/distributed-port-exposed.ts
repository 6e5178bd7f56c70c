import type { Span } from '../../core/finding.js';
import {
  composeCommands,
  composeEnv,
  composePorts,
  containersOf,
  describePort,
  distributedPorts,
  isDistributedKind,
  isDistributedPod,
  isTorchLauncher,
  isWildcardHost,
  podSpecs,
  portNumber,
  rangeHolds,
} from '../../deploy/facts.js';
import type { DeployFile } from '../../deploy/model.js';
import { getMap, getNode, getScalar, type YMap, type YNode } from '../../workflows/yaml-tree.js';
import { defineRule, type RuleContext } from '../define-rule.js';

type Messages = 'service' | 'ingress' | 'hostNetwork' | 'hostPort' | 'composePort' | 'composeHost';

/** torch.distributed ports published beyond a trusted network by a deployment file. */
export default defineRule<DeployFile, Messages>({
  id: 'deploy/distributed-port-exposed',
  title: 'Deployment publishes a torch.distributed port beyond the cluster',
  target: 'deploy',
  severity: 'high',
  confidence: 'medium',
  policy: 'PyTorch SECURITY.md: Using distributed features',
  messages: {
    service:
      'Service `{{name}}` of type {{type}} publishes port {{port}}, {{what}}; torch.distributed has no authentication, so anyone who reaches it can read, rewrite or hijack the job',
    ingress:
      'Ingress `{{name}}` routes outside traffic to port {{port}}, {{what}}, which has no authentication',
    hostNetwork:
      '`hostNetwork: true` on a distributed training pod puts its TCPStore (which binds every interface whatever MASTER_ADDR says) on the node network',
    hostPort: '`hostPort: {{port}}` publishes {{what}} on the node address, with no authentication',
    composePort:
      'compose service `{{name}}` publishes port {{port}}, {{what}}, on all host interfaces (`{{entry}}`); bind it to 127.0.0.1 or keep it on an internal network',
    composeHost:
      '`network_mode: host` on distributed service `{{name}}` puts its TCPStore (bound to every interface) on the host network',
  },
  check(ctx, file) {
    const ports = distributedPorts(file);
    if (file.kind === 'kubernetes') {
      for (const root of file.documents) checkManifest(ctx, file, root, ports);
    } else if (file.kind === 'compose') {
      for (const root of file.documents) checkCompose(ctx, file, root, ports);
    } else if (file.kind === 'helm-values') {
      for (const root of file.documents) checkValues(ctx, file, root, ports);
    }
  },
});

function at(
  span: Span,
  path: readonly (string | number)[],
): { span: Span; path: readonly (string | number)[] } {
  return { span, path };
}

function checkManifest(
  ctx: RuleContext<Messages>,
  file: DeployFile,
  root: YNode,
  ports: ReadonlySet<number>,
): void {
  const kind = getScalar(root, 'kind')?.text;
  const name = getScalar(getMap(root, 'metadata'), 'name')?.text ?? '';
  if (kind === 'Service') {
    const spec = getMap(root, 'spec');
    const type = getScalar(spec, 'type');
    if (type === undefined || (type.text !== 'LoadBalancer' && type.text !== 'NodePort')) return;
    servicePorts(spec, ports, (port, node) => {
      ctx.report({
        messageId: 'service',
        data: { name, type: type.text, port, what: describePort(port) },
        at: at(node.span, node.path),
        related: [{ span: type.span, path: type.path, label: `type ${type.text}` }],
      });
    });
    return;
  }
  if (kind === 'Ingress') {
    for (const node of ingressPorts(root)) {
      const port = portNumber(node);
      if (port !== undefined && ports.has(port)) {
        ctx.report({
          messageId: 'ingress',
          data: { name, port, what: describePort(port) },
          at: at(node.span, node.path),
        });
      }
    }
    return;
  }
  const byKind = isDistributedKind(root);
  for (const pod of podSpecs(root)) {
    const distributed = byKind || isDistributedPod(file.text, pod.spec, ports);
    const hostNetwork = getScalar(pod.spec, 'hostNetwork');
    if (distributed && hostNetwork?.value === true) {
      ctx.report({ messageId: 'hostNetwork', at: at(hostNetwork.span, hostNetwork.path) });
    }
    for (const container of containersOf(pod.spec)) {
      const list = getNode(container, 'ports');
      if (list?.kind !== 'seq') continue;
      for (const entry of list.items) {
        const hostPort = getNode(entry, 'hostPort');
        const host = portNumber(hostPort);
        const target = portNumber(getNode(entry, 'containerPort'));
        const hit =
          host !== undefined && ports.has(host)
            ? host
            : target !== undefined && host !== undefined && ports.has(target)
              ? target
              : undefined;
        if (hit !== undefined && hostPort !== undefined) {
          ctx.report({
            messageId: 'hostPort',
            data: { port: host ?? hit, what: describePort(hit) },
            at: at(hostPort.span, hostPort.path),
          });
        }
      }
    }
  }
}

/** Calls `found` for each service port entry (`port`, `targetPort` or `nodePort`) in `ports`. */
function servicePorts(
  spec: YMap | undefined,
  ports: ReadonlySet<number>,
  found: (port: number, node: YNode) => void,
): void {
  const list = getNode(spec, 'ports');
  if (list?.kind !== 'seq') return;
  for (const entry of list.items) {
    for (const key of ['port', 'targetPort', 'nodePort']) {
      const node = getNode(entry, key);
      const port = portNumber(node);
      if (port !== undefined && node !== undefined && ports.has(port)) {
        found(port, node);
        break;
      }
    }
  }
}

function ingressPorts(root: YNode): YNode[] {
  const out: YNode[] = [];
  const spec = getMap(root, 'spec');
  const backends: (YNode | undefined)[] = [getNode(spec, 'defaultBackend')];
  const rules = getNode(spec, 'rules');
  if (rules?.kind === 'seq') {
    for (const rule of rules.items) {
      const paths = getNode(getMap(rule, 'http'), 'paths');
      if (paths?.kind === 'seq') for (const p of paths.items) backends.push(getNode(p, 'backend'));
    }
  }
  for (const backend of backends) {
    // networking.k8s.io/v1: backend.service.port.number; v1beta1: backend.servicePort.
    const number =
      getNode(getMap(getMap(backend, 'service'), 'port'), 'number') ??
      getNode(backend, 'servicePort');
    if (number !== undefined) out.push(number);
  }
  return out;
}

function checkCompose(
  ctx: RuleContext<Messages>,
  file: DeployFile,
  root: YNode,
  ports: ReadonlySet<number>,
): void {
  const services = getMap(root, 'services');
  for (const [name, entry] of services?.entries ?? []) {
    const service = entry.value;
    if (service.kind !== 'map') continue;
    for (const p of composePorts(getNode(service, 'ports'))) {
      if (!isWildcardHost(p.hostIp)) continue;
      const hit = [...ports].find(
        (port) => rangeHolds(p.target, port) || rangeHolds(p.published, port),
      );
      if (hit === undefined) continue;
      ctx.report({
        messageId: 'composePort',
        data: {
          name,
          port: hit,
          what: describePort(hit),
          entry: p.node.kind === 'scalar' ? p.node.text : 'long syntax',
        },
        at: at(p.node.span, p.node.path),
      });
    }
    const mode = getScalar(service, 'network_mode');
    if (mode?.text === 'host') {
      const distributed =
        composeEnv(service, 'MASTER_PORT') !== undefined ||
        composeEnv(service, 'MASTER_ADDR') !== undefined ||
        composeCommands(file.text, service).some(isTorchLauncher);
      if (distributed)
        ctx.report({ messageId: 'composeHost', data: { name }, at: at(mode.span, mode.path) });
    }
  }
}

// Helm values follow no schema: a mapping of `type: LoadBalancer|NodePort` with a distributed
// port beside it (or in its `ports` list) is a Service template's input, whatever its key.
function checkValues(
  ctx: RuleContext<Messages>,
  file: DeployFile,
  root: YNode,
  ports: ReadonlySet<number>,
): void {
  const distributedText = /MASTER_PORT|MASTER_ADDR|torchrun|torch\.distributed|rdzv/.test(
    file.text,
  );
  const stack: YNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === undefined) break;
    if (node.kind === 'seq') {
      stack.push(...[...node.items].reverse());
      continue;
    }
    if (node.kind !== 'map') continue;
    const type = getScalar(node, 'type');
    if (type !== undefined && (type.text === 'LoadBalancer' || type.text === 'NodePort')) {
      const candidates: YNode[] = [];
      for (const key of ['port', 'targetPort', 'nodePort']) {
        const n = getNode(node, key);
        if (n !== undefined) candidates.push(n);
      }
      const list = getNode(node, 'ports');
      if (list?.kind === 'seq') {
        for (const item of list.items) {
          const n =
            item.kind === 'scalar' ? item : (getNode(item, 'port') ?? getNode(item, 'targetPort'));
          if (n !== undefined) candidates.push(n);
        }
      }
      for (const n of candidates) {
        const port = portNumber(n);
        if (port !== undefined && ports.has(port)) {
          ctx.report({
            messageId: 'service',
            data: {
              name: String(node.path.at(-1) ?? 'values'),
              type: type.text,
              port,
              what: describePort(port),
            },
            at: at(n.span, n.path),
          });
        }
      }
    }
    const hostNetwork = getScalar(node, 'hostNetwork');
    if (distributedText && hostNetwork?.value === true) {
      ctx.report({ messageId: 'hostNetwork', at: at(hostNetwork.span, hostNetwork.path) });
    }
    stack.push(...[...node.entries.values()].map((e) => e.value).reverse());
  }
}
