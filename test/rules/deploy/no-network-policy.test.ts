import { describe } from 'node:test';
import rule from '../../../src/rules/deploy/no-network-policy.js';
import { testDeployRule } from '../../helpers/test-deploy-rule.js';

const JOB = `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: bert
  namespace: training
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 4
      template:
        metadata:
          labels:
            app: bert
        spec:
          containers:
            - name: pytorch
              image: trainer
`;

// Deny-all ingress for the namespace, then allow the job's own pods to reach each other.
const POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bert-internal
  namespace: training
spec:
  podSelector:
    matchLabels:
      app: bert
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: bert
`;

describe('deploy/no-network-policy', () => {
  testDeployRule(rule, {
    valid: [
      { kind: 'kubernetes', code: JOB, beside: [POLICIES] },
      { kind: 'kubernetes', code: `${JOB}---\n${POLICIES}` },
      // Default-deny for the whole namespace (empty podSelector).
      {
        kind: 'kubernetes',
        code: JOB,
        beside: [
          'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: training\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n',
        ],
      },
      // Not a distributed workload.
      {
        kind: 'kubernetes',
        code: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n',
      },
    ],
    invalid: [
      {
        kind: 'kubernetes',
        code: JOB,
        errors: [{ messageId: 'unselected', line: 2, column: 7, severity: 'low' }],
      },
      // A policy in another namespace, or selecting other pods, does not count.
      {
        kind: 'kubernetes',
        code: JOB,
        beside: [
          POLICIES.replace('namespace: training', 'namespace: serving'),
          POLICIES.replace('app: bert\n  policyTypes', 'app: web\n  policyTypes'),
        ],
        errors: [{ messageId: 'unselected', line: 2, column: 7 }],
      },
      {
        kind: 'kubernetes',
        code: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ddp\nspec:\n  template:\n    spec:\n      containers:\n        - name: t\n          image: trainer\n          env:\n            - name: MASTER_ADDR\n              value: ddp-0\n',
        errors: [{ messageId: 'unselected', line: 2, column: 7 }],
      },
    ],
  });
});
