import distributedPortExposed from './distributed-port-exposed.js';
import malformedInput from './malformed-input.js';
import noNetworkPolicy from './no-network-policy.js';
import unauthenticatedService from './unauthenticated-service.js';

/** Deployment rules (Kubernetes, compose, Helm values, Dockerfiles, shell and SLURM), sorted by id. */
export const deployRules = [
  distributedPortExposed,
  malformedInput,
  noNetworkPolicy,
  unauthenticatedService,
] as const;
