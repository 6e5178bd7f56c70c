import type { Severity } from '../core/finding.js';

/** A service the probe can name. */
export type ServiceId =
  | 'tcpstore'
  | 'ray-dashboard'
  | 'torchserve-management'
  | 'jupyter'
  | 'mlflow'
  | 'tensorboard'
  | 'http';

/** What the probe knows about a service: its default port, its one GET and the policy it breaks. */
export interface ServiceInfo {
  readonly id: ServiceId;
  readonly name: string;
  /** The read-only GET that identifies it (HTTP services only). */
  readonly path?: string;
  /** Severity when it accepted an unauthenticated read. */
  readonly severity: Severity;
  /** The policy sentence an exposed, unauthenticated instance breaks. */
  readonly policy: string;
}

const DISTRIBUTED_POLICY =
  'PyTorch SECURITY.md, "Using distributed features": c10d, RPC and TCPStore include no authorization protocol; they accept connections from anywhere and execute the workload sent without checks, so they must run only on a trusted, isolated network.';

/** The services of the probe, by id. */
export const SERVICES: Readonly<Record<ServiceId, ServiceInfo>> = {
  tcpstore: {
    id: 'tcpstore',
    name: 'torch.distributed TCPStore',
    severity: 'critical',
    policy: DISTRIBUTED_POLICY,
  },
  'ray-dashboard': {
    id: 'ray-dashboard',
    name: 'Ray dashboard / Jobs API',
    path: '/api/version',
    severity: 'critical',
    policy:
      'The Ray Jobs API has no authentication: whoever reaches the dashboard port runs code on the cluster (CVE-2023-48022, "ShadowRay"); keep it on a trusted network.',
  },
  'torchserve-management': {
    id: 'torchserve-management',
    name: 'TorchServe management API',
    path: '/models',
    severity: 'high',
    policy:
      'PyTorch SECURITY.md, "Untrusted models": models are programs; the TorchServe management API registers models from URLs (CVE-2023-43654, "ShellTorch"), so it must not be reachable without authorization.',
  },
  jupyter: {
    id: 'jupyter',
    name: 'Jupyter server',
    path: '/api/status',
    severity: 'critical',
    policy:
      'A Jupyter server without a token or password runs code for anyone who reaches it; PyTorch SECURITY.md asks for trusted, isolated environments for untrusted access.',
  },
  mlflow: {
    id: 'mlflow',
    name: 'MLflow tracking server',
    path: '/api/2.0/mlflow/experiments/search?max_results=1',
    severity: 'high',
    policy:
      'PyTorch SECURITY.md, "Untrusted models": an MLflow server without authentication lets anyone read runs and replace the model artifacts (pickles) that clients load.',
  },
  tensorboard: {
    id: 'tensorboard',
    name: 'TensorBoard',
    path: '/data/environment',
    severity: 'medium',
    policy:
      'PyTorch SECURITY.md, "Data privacy": TensorBoard has no authentication; bound beyond localhost it serves training logs, data samples and embeddings to anyone.',
  },
  http: {
    id: 'http',
    name: 'HTTP server',
    path: '/',
    severity: 'info',
    policy: '',
  },
};

/** Default TCPStore ports: torchrun's MASTER_PORT default and the c10d rendezvous default. */
export const TCPSTORE_PORTS: readonly number[] = [29500, 29400];

/** Default ports of the HTTP services the probe identifies. */
export const HTTP_PORTS: ReadonlyMap<number, ServiceId> = new Map([
  [8265, 'ray-dashboard'],
  [8081, 'torchserve-management'],
  [8888, 'jupyter'],
  [5000, 'mlflow'],
  [6006, 'tensorboard'],
]);

/**
 * Ports of distributed and ML services `probe --local` reports when bound to a wildcard address
 * (the probe's ports plus Ray GCS, client and agent, TorchServe inference and metrics, Dask).
 */
export const LOCAL_PORTS: ReadonlyMap<number, string> = new Map([
  [29500, 'torch.distributed TCPStore (MASTER_PORT default)'],
  [29400, 'torchelastic c10d rendezvous'],
  [6379, 'Ray GCS'],
  [8265, 'Ray dashboard / Jobs API'],
  [10001, 'Ray client'],
  [52365, 'Ray dashboard agent'],
  [8080, 'TorchServe inference'],
  [8081, 'TorchServe management'],
  [8082, 'TorchServe metrics'],
  [8888, 'Jupyter'],
  [5000, 'MLflow tracking'],
  [6006, 'TensorBoard'],
  [8786, 'Dask scheduler'],
  [8787, 'Dask dashboard'],
]);
