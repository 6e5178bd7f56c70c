import type { Severity } from '../../core/finding.js';
import { optionValue, programOf } from '../../formats/shell/command.js';
import type { ShellWord } from '../../formats/shell/tokenize.js';
import { defineRule, type ReportInput, type RuleContext } from '../define-rule.js';
import type { PythonNeeds } from './needs.js';
import { argument, callPath, exposure, hostOf, type CodeAuditInput } from './input.js';

type Message =
  | 'tcpExposed'
  | 'masterAddrExposed'
  | 'tcpStoreMaster'
  | 'rpc'
  | 'objectCollective'
  | 'serviceExposed'
  | 'serviceNoAuth';

const RPC = new Set([
  'torch.distributed.rpc.init_rpc',
  'torch.distributed.rpc.remote',
  'torch.distributed.rpc.rpc_sync',
  'torch.distributed.rpc.rpc_async',
  'torch.distributed.nn.RemoteModule',
  'torch.distributed.nn.api.remote_module.RemoteModule',
]);
const COLLECTIVES = new Set(
  [
    'broadcast_object_list',
    'all_gather_object',
    'gather_object',
    'scatter_object_list',
    'send_object_list',
    'recv_object_list',
  ].map((n) => `torch.distributed.${n}`),
);
const INIT = new Set([
  'torch.distributed.init_process_group',
  'torch.distributed.distributed_c10d.init_process_group',
]);
const TCPSTORE = new Set([
  'torch.distributed.TCPStore',
  'torch.distributed.distributed_c10d.TCPStore',
]);
const RAY_INIT = 'ray.init';
const LAUNCHERS = /^(?:torchrun|torch\.distributed\.(?:run|launch))$/;

/** What the Python part of this rule reports on (the audit skips parsing files without any). */
export const pythonNeeds: PythonNeeds = {
  calls: [...RPC, ...COLLECTIVES, ...INIT, ...TCPSTORE, RAY_INIT],
  envSets: true,
};

/**
 * Distributed training and side services that anyone on the network can drive: c10d, RPC and
 * TCPStore have no authentication and unpickle what they receive (pytorch SECURITY.md, "Using
 * distributed features"); object collectives unpickle between ranks; Ray, Jupyter, TensorBoard and
 * MLflow bound to all interfaces. Python, shell, Dockerfile and notebook command lines.
 */
export default defineRule<CodeAuditInput, Message>({
  id: 'code/distributed-exposure',
  title: 'Distributed endpoint or ML service exposed without authentication',
  target: 'code',
  severity: 'high',
  confidence: 'medium',
  policy: 'pytorch SECURITY.md: distributed features have no authorization; use a private network',
  messages: {
    tcpExposed:
      'the c10d rendezvous at {{endpoint}} listens {{where}}: c10d has no authentication; bind it to a private interface behind a firewall',
    masterAddrExposed:
      '{{name}}={{value}} puts the TCPStore rendezvous {{where}}: it has no authentication and runs what it is sent',
    tcpStoreMaster:
      'TCPStore(is_master=True) listens on every interface whatever the host given{{host}}: keep the port on a private network',
    rpc: '`{{call}}` uses torch.distributed.rpc, which unpickles and runs Python sent by any peer (CVE-2024-5480, CVE-2024-48063): only inside a trusted, isolated network',
    objectCollective:
      '`{{call}}` pickles objects between ranks: any member of the group can run code on the others; send tensors instead',
    serviceExposed:
      '{{service}} listens on {{where}} ({{how}}); put it behind authentication or bind it to 127.0.0.1',
    serviceNoAuth:
      '{{service}} listens on {{where}} with no authentication ({{how}}): anyone who reaches it runs code',
  },
  check(ctx, input) {
    checkPython(ctx, input);
    for (const command of input.commands) {
      for (const a of command.assignments) envSet(ctx, a.name, a.value);
      const found = programOf(command);
      if (found === undefined) continue;
      const { program, args } = found;
      if (program === 'export') {
        for (const w of args) {
          const eq = w.value.indexOf('=');
          if (eq > 0) envSet(ctx, w.value.slice(0, eq), { ...w, value: w.value.slice(eq + 1) });
        }
        continue;
      }
      shellService(ctx, program, args);
    }
    for (const instruction of input.docker ?? []) {
      if (instruction.keyword !== 'ENV') continue;
      for (const v of instruction.variables) envSet(ctx, v.name, v.value);
    }
  },
});

function checkPython(ctx: RuleContext<Message>, input: CodeAuditInput): void {
  const model = input.python;
  if (model === undefined) return;
  for (const env of model.envSets) {
    if (env.name !== 'MASTER_ADDR' || typeof env.value.value !== 'string') continue;
    const where = describe(exposure(env.value.value));
    if (where === undefined) continue;
    ctx.report({
      messageId: 'masterAddrExposed',
      data: { name: env.name, value: env.value.value, where },
      at: { span: env.value.span, path: ['environ', env.name] },
    });
  }
  for (const call of model.calls) {
    const name = call.name;
    if (name === undefined) continue;
    const at = { span: call.calleeSpan, path: callPath(call) };
    if (INIT.has(name)) {
      const method = argument(call, 'init_method', 1);
      if (typeof method?.value !== 'string' || !method.value.startsWith('tcp://')) continue;
      const where = describe(exposure(hostOf(method.value)));
      if (where === undefined) continue;
      ctx.report({
        messageId: 'tcpExposed',
        data: { endpoint: method.value, where },
        at: { span: method.span, path: callPath(call) },
      });
    } else if (TCPSTORE.has(name)) {
      const master = argument(call, 'is_master', 3);
      if (master?.value !== true) continue;
      const host = argument(call, 'host_name', 0);
      const exposed = typeof host?.value === 'string' ? exposure(host.value) : undefined;
      ctx.report({
        messageId: 'tcpStoreMaster',
        data: { host: typeof host?.value === 'string' ? ` (${host.value})` : '' },
        at,
        severity: exposed === undefined ? 'medium' : 'high',
      });
    } else if (RPC.has(name)) {
      ctx.report({ messageId: 'rpc', data: { call: name }, at });
    } else if (COLLECTIVES.has(name)) {
      ctx.report({ messageId: 'objectCollective', data: { call: name }, at, severity: 'medium' });
    } else if (name === RAY_INIT) {
      const host = call.keywords.get('dashboard_host');
      const where = typeof host?.value === 'string' ? describe(exposure(host.value)) : undefined;
      if (where === undefined || host === undefined) continue;
      ctx.report({
        messageId: 'serviceNoAuth',
        data: {
          service: 'The Ray dashboard and Jobs API',
          where,
          how: `dashboard_host="${String(host.value)}"`,
        },
        at: { span: host.span, path: callPath(call) },
      });
    }
  }
}

function describe(kind: 'all-interfaces' | 'public' | undefined): string | undefined {
  if (kind === undefined) return undefined;
  return kind === 'all-interfaces' ? 'on all interfaces' : 'on a public address';
}

function envSet(ctx: RuleContext<Message>, name: string, value: ShellWord): void {
  if (name !== 'MASTER_ADDR' || value.dynamic) return;
  const where = describe(exposure(value.value));
  if (where === undefined) return;
  ctx.report({
    messageId: 'masterAddrExposed',
    data: { name, value: value.value, where },
    at: { span: value.span, path: ['environ', name] },
  });
}

function shellService(
  ctx: RuleContext<Message>,
  program: string,
  args: readonly ShellWord[],
): void {
  const report = (
    messageId: 'serviceExposed' | 'serviceNoAuth',
    service: string,
    word: ShellWord,
    how: string,
    severity?: Severity,
  ): void => {
    const input: ReportInput<Message> = {
      messageId,
      data: { service, where: describe(exposure(hostOf(word.value))) ?? 'all interfaces', how },
      at: { span: word.span, path: [program] },
      ...(severity === undefined ? {} : { severity }),
    };
    ctx.report(input);
  };
  const exposedValue = (names: readonly string[]): ShellWord | undefined => {
    const v = optionValue(args, names);
    return v !== undefined && !v.dynamic && exposure(hostOf(v.value)) !== undefined ? v : undefined;
  };
  let launcher = LAUNCHERS.test(program);
  let launcherArgs = args;
  if (/^python(?:\d+(?:\.\d+)?)?$/.test(program)) {
    const m = args.findIndex((w) => w.value === '-m');
    if (m >= 0 && LAUNCHERS.test(args[m + 1]?.value ?? '')) {
      launcher = true;
      launcherArgs = args.slice(m + 2);
    }
  }
  if (launcher) {
    for (const names of [
      ['--master-addr', '--master_addr'],
      ['--rdzv-endpoint', '--rdzv_endpoint'],
    ]) {
      const v = optionValue(launcherArgs, names);
      if (v === undefined || v.dynamic) continue;
      const where = describe(exposure(hostOf(v.value)));
      if (where === undefined) continue;
      ctx.report({
        messageId: 'tcpExposed',
        data: { endpoint: v.value, where },
        at: { span: v.span, path: [program, names[0] ?? ''] },
      });
    }
    return;
  }
  const sub = args[0]?.value ?? '';
  if (program === 'jupyter' || program === 'jupyter-lab' || program === 'jupyter-notebook') {
    if (program === 'jupyter' && !['notebook', 'lab', 'server'].includes(sub)) return;
    const ip = exposedValue(['--ip', '--NotebookApp.ip', '--ServerApp.ip']);
    if (ip === undefined) return;
    const token = optionValue(args, [
      '--NotebookApp.token',
      '--ServerApp.token',
      '--IdentityProvider.token',
    ]);
    const password = optionValue(args, ['--NotebookApp.password', '--ServerApp.password']);
    if (token?.value === '' && (password?.value ?? '') === '') {
      report('serviceNoAuth', 'Jupyter', ip, 'empty token and no password');
    } else {
      report('serviceExposed', 'Jupyter', ip, 'token authentication only', 'medium');
    }
  } else if (program === 'tensorboard') {
    const bindAll = args.find((w) => w.value === '--bind_all');
    const host = exposedValue(['--host']);
    const word = bindAll ?? host;
    if (word === undefined) return;
    report(
      'serviceExposed',
      'TensorBoard',
      bindAll !== undefined ? { ...bindAll, value: '0.0.0.0' } : word,
      'no authentication',
      'medium',
    );
  } else if (program === 'mlflow' && (sub === 'server' || sub === 'ui')) {
    const host = exposedValue(['--host', '-h']);
    if (host !== undefined)
      report('serviceNoAuth', 'The MLflow tracking server', host, 'no authentication by default');
  } else if (program === 'ray' && sub === 'start') {
    const host = exposedValue(['--dashboard-host']);
    if (host !== undefined)
      report('serviceNoAuth', 'The Ray dashboard and Jobs API', host, 'ShadowRay, CVE-2023-48022');
  }
}
