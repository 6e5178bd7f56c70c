import type { Span } from '../../core/finding.js';
import {
  composeCommands,
  composePorts,
  containerCommands,
  containersOf,
  flagValue,
  flagWord,
  isWildcardHost,
  podSpecs,
  portNumber,
  programAt,
  rangeHolds,
} from '../../deploy/facts.js';
import type { DeployFile } from '../../deploy/model.js';
import type { Command } from '../../deploy/shell-words.js';
import { getMap, getNode, getScalar } from '../../workflows/yaml-tree.js';
import { defineRule, type RuleContext } from '../define-rule.js';

type Messages =
  | 'ray'
  | 'jupyter'
  | 'tensorboard'
  | 'mlflow'
  | 'dask'
  | 'torchserveToken'
  | 'torchserveAddress'
  | 'published'
  | 'expose';

// Ports of services that have no authentication of their own (reference §5).
const OPEN_PORTS = new Map<number, string>([
  [8265, 'the Ray dashboard / Jobs API'],
  [10001, 'the Ray client server'],
  [8081, 'the TorchServe management API'],
  [8786, 'the Dask scheduler'],
]);

/** ML services started without authentication on every interface. */
export default defineRule<DeployFile, Messages>({
  id: 'deploy/unauthenticated-service',
  title: 'ML service reachable without authentication',
  target: 'deploy',
  severity: 'high',
  confidence: 'medium',
  policy: 'PyTorch SECURITY.md: Using distributed features; CWE-306',
  messages: {
    ray: 'Ray dashboard bound to `{{host}}`: its Jobs API has no authentication, so anyone who reaches port 8265 runs code on the cluster (CVE-2023-48022)',
    jupyter:
      'Jupyter on `{{host}}` with an empty {{what}}: anyone who reaches it runs code in the notebook server',
    tensorboard:
      'TensorBoard `{{flag}}` serves training logs and data to every network; it has no authentication',
    mlflow:
      'MLflow server on `{{host}}` without `--app-name basic-auth`: anyone who reaches it reads runs and replaces model artifacts',
    dask: 'Dask scheduler on {{host}}: it has no authentication and runs the tasks it is sent',
    torchserveToken:
      '`{{flag}}` turns off the TorchServe token check: the management API registers models (code) for anyone',
    torchserveAddress:
      'TorchServe management API on all interfaces (`{{value}}`): it registers models from URLs (CVE-2023-43654)',
    published: '{{where}} publishes port {{port}}, {{what}}, which has no authentication',
    expose:
      '`EXPOSE {{port}}` advertises {{what}}, which has no authentication; publish it only to a trusted network',
  },
  check(ctx, file) {
    const commands: Command[] = [...file.commands];
    if (file.kind === 'kubernetes' || file.kind === 'helm-values') {
      for (const root of file.documents) {
        for (const pod of podSpecs(root)) {
          for (const c of containersOf(pod.spec)) commands.push(...containerCommands(file.text, c));
        }
        if (file.kind === 'kubernetes') checkManifestPorts(ctx, root);
      }
    } else if (file.kind === 'compose') {
      for (const root of file.documents) {
        for (const [name, entry] of getMap(root, 'services')?.entries ?? []) {
          if (entry.value.kind !== 'map') continue;
          commands.push(...composeCommands(file.text, entry.value));
          for (const p of composePorts(getNode(entry.value, 'ports'))) {
            if (!isWildcardHost(p.hostIp)) continue;
            for (const [port, what] of OPEN_PORTS) {
              if (rangeHolds(p.target, port) || rangeHolds(p.published, port)) {
                ctx.report({
                  messageId: 'published',
                  data: { where: `compose service \`${name}\``, port, what },
                  at: { span: p.node.span, path: p.node.path },
                });
                break;
              }
            }
          }
        }
      }
    } else if (file.kind === 'dockerfile') {
      for (const instruction of file.instructions) {
        if (instruction.keyword !== 'EXPOSE') continue;
        for (const word of instruction.commands.flat()) {
          const port = Number(word.text.replace(/\/(?:tcp|udp)$/i, ''));
          const what = OPEN_PORTS.get(port);
          if (what !== undefined) {
            ctx.report({
              messageId: 'expose',
              data: { port, what },
              at: { span: word.span },
              severity: 'low',
            });
          }
        }
      }
    }
    for (const command of commands) checkCommand(ctx, command);
    // TorchServe's config.properties line, wherever it is written (RUN echo, a ConfigMap …).
    for (const m of file.text.matchAll(
      /management_address\s*=\s*https?:\/\/(?:0\.0\.0\.0|\[::\])(?::\d+)?/g,
    )) {
      const span = { start: m.index, end: m.index + m[0].length };
      ctx.report({ messageId: 'torchserveAddress', data: { value: m[0] }, at: { span } });
    }
  },
});

function checkManifestPorts(
  ctx: RuleContext<Messages>,
  root: Parameters<typeof getScalar>[0],
): void {
  if (getScalar(root, 'kind')?.text !== 'Service') return;
  const spec = getMap(root, 'spec');
  const type = getScalar(spec, 'type')?.text;
  if (type !== 'LoadBalancer' && type !== 'NodePort') return;
  const name = getScalar(getMap(root, 'metadata'), 'name')?.text ?? '';
  const list = getNode(spec, 'ports');
  if (list?.kind !== 'seq') return;
  for (const entry of list.items) {
    for (const key of ['port', 'targetPort']) {
      const node = getNode(entry, key);
      const port = portNumber(node);
      const what = port === undefined ? undefined : OPEN_PORTS.get(port);
      if (what !== undefined && port !== undefined && node !== undefined) {
        ctx.report({
          messageId: 'published',
          data: { where: `Service \`${name}\` of type ${type}`, port, what },
          at: { span: node.span, path: node.path },
        });
        break;
      }
    }
  }
}

const EMPTY = new Set(['', "''", '""']);

function report(
  ctx: RuleContext<Messages>,
  messageId: Messages,
  span: Span,
  data: Record<string, string>,
): void {
  ctx.report({ messageId, data, at: { span } });
}

function checkCommand(ctx: RuleContext<Messages>, command: Command): void {
  const ray = programAt(command, ['ray']);
  if (ray >= 0 && command[ray + 1]?.text === 'start') {
    const host = flagValue(command, ['--dashboard-host']);
    if (host !== undefined && isWildcardHost(host.text))
      report(ctx, 'ray', host.span, { host: host.text });
  }
  const jupyter = programAt(command, [
    'jupyter',
    'jupyter-lab',
    'jupyter-notebook',
    'jupyter-server',
  ]);
  if (jupyter >= 0) {
    const ip = flagValue(command, ['--ip', '--NotebookApp.ip', '--ServerApp.ip']);
    if (ip !== undefined && isWildcardHost(ip.text)) {
      for (const [names, what] of [
        [['--NotebookApp.token', '--ServerApp.token', '--IdentityProvider.token'], 'token'],
        [
          [
            '--NotebookApp.password',
            '--ServerApp.password',
            '--PasswordIdentityProvider.hashed_password',
          ],
          'password',
        ],
      ] as const) {
        const value = flagValue(command, names);
        const word = flagWord(command, names);
        // Only an empty token and no password at all: a password alone still guards the server.
        if (
          value !== undefined &&
          word !== undefined &&
          EMPTY.has(value.text) &&
          what === 'token'
        ) {
          const password = flagValue(command, [
            '--NotebookApp.password',
            '--ServerApp.password',
            '--PasswordIdentityProvider.hashed_password',
          ]);
          if (password === undefined || EMPTY.has(password.text)) {
            report(ctx, 'jupyter', word.span, { host: ip.text, what });
          }
        }
      }
    }
  }
  const tensorboard = programAt(command, ['tensorboard']);
  if (tensorboard >= 0) {
    const bindAll = flagWord(command, ['--bind_all']);
    const host = flagValue(command, ['--host']);
    if (bindAll !== undefined) report(ctx, 'tensorboard', bindAll.span, { flag: '--bind_all' });
    else if (host !== undefined && isWildcardHost(host.text)) {
      report(ctx, 'tensorboard', host.span, { flag: `--host ${host.text}` });
    }
  }
  const mlflow = programAt(command, ['mlflow']);
  if (mlflow >= 0 && ['server', 'ui'].includes(command[mlflow + 1]?.text ?? '')) {
    const host = flagValue(command, ['--host', '-h']);
    const app = flagValue(command, ['--app-name']);
    if (host !== undefined && isWildcardHost(host.text) && app?.text !== 'basic-auth') {
      report(ctx, 'mlflow', host.span, { host: host.text });
    }
  }
  const dask = programAt(command, ['dask-scheduler', 'dask']);
  const daskWord = command[dask];
  if (
    daskWord !== undefined &&
    (daskWord.text.endsWith('dask-scheduler') || command[dask + 1]?.text === 'scheduler')
  ) {
    // The scheduler listens on every interface unless --host or --interface narrows it.
    const host = flagValue(command, ['--host']);
    const iface = flagValue(command, ['--interface']);
    const loopback =
      (host !== undefined && /^(?:127\.|localhost$|\[?::1\]?$)/.test(host.text)) ||
      iface?.text === 'lo';
    if (!loopback) {
      report(ctx, 'dask', (host ?? daskWord).span, {
        host: host === undefined ? 'all interfaces (the default)' : `\`${host.text}\``,
      });
    }
  }
  const torchserve = programAt(command, ['torchserve']);
  if (torchserve >= 0) {
    const off = flagWord(command, ['--disable-token-auth', '--disable-token-authorization']);
    if (off !== undefined) report(ctx, 'torchserveToken', off.span, { flag: off.text });
  }
}
