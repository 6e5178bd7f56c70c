import { describe } from 'node:test';
import rule from '../../../src/rules/deploy/distributed-port-exposed.js';
import { testDeployRule } from '../../helpers/test-deploy-rule.js';

// A Kubeflow PyTorchJob as its operator docs show it: the operator adds a headless ClusterIP
// service for the master; nothing leaves the cluster.
const PYTORCHJOB = `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: mnist
  namespace: training
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      restartPolicy: OnFailure
      template:
        spec:
          containers:
            - name: pytorch
              image: docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727
              command: ["python3", "/opt/pytorch-mnist/mnist.py", "--epochs=1"]
              ports:
                - containerPort: 29500
                  name: pytorchjob-port
    Worker:
      replicas: 2
      template:
        spec:
          containers:
            - name: pytorch
              image: docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727
`;

const CLUSTER_IP = `apiVersion: v1
kind: Service
metadata:
  name: trainer-master
spec:
  clusterIP: None
  selector:
    job: trainer
  ports:
    - name: c10d
      port: 29500
      targetPort: 29500
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  ports:
    - port: 443
      targetPort: 8443
`;

describe('deploy/distributed-port-exposed', () => {
  testDeployRule(rule, {
    valid: [
      { kind: 'kubernetes', code: PYTORCHJOB },
      { kind: 'kubernetes', code: CLUSTER_IP },
      // hostNetwork on a pod that runs no distributed job (a node exporter).
      {
        kind: 'kubernetes',
        code: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: node-exporter\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: exporter\n          image: prom/node-exporter\n          ports:\n            - containerPort: 9100\n              hostPort: 9100\n',
      },
      {
        kind: 'compose',
        code: 'services:\n  trainer:\n    image: trainer\n    ports:\n      - "127.0.0.1:29500:29500"\n      - "[::1]:29400:29400"\n      - "8080:80"\n',
      },
      {
        kind: 'helm-values',
        code: 'service:\n  type: ClusterIP\n  port: 29500\nreplicaCount: 2\n',
      },
    ],
    invalid: [
      {
        kind: 'kubernetes',
        code: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: master\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 29500\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: rdzv\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n      targetPort: 29400\n      nodePort: 30400\n',
        errors: [
          { messageId: 'service', line: 8, column: 13, endColumn: 18 },
          { messageId: 'service', line: 18, column: 19 },
        ],
      },
      // A MASTER_PORT declared in the pod makes its custom port a distributed one.
      {
        kind: 'kubernetes',
        code: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ddp\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: train\n          image: trainer\n          env:\n            - name: MASTER_PORT\n              value: "23456"\n          ports:\n            - containerPort: 23456\n              hostPort: 23456\n',
        errors: [
          { messageId: 'hostNetwork', line: 8, column: 20 },
          { messageId: 'hostPort', line: 17, column: 25 },
        ],
      },
      {
        kind: 'kubernetes',
        code: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: store\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: master\n                port:\n                  number: 29500\n',
        errors: [{ messageId: 'ingress', line: 15, column: 27 }],
      },
      // JobSet and Volcano templates nest the pod spec deeper; torchrun marks them distributed.
      {
        kind: 'kubernetes',
        code: 'apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: pt\nspec:\n  replicatedJobs:\n    - name: workers\n      template:\n        spec:\n          template:\n            spec:\n              hostNetwork: true\n              containers:\n                - name: pt\n                  image: trainer\n                  command: [torchrun, --rdzv-backend=c10d, "--rdzv-endpoint=pt-workers-0-0.pt:29400", train.py]\n',
        errors: [{ messageId: 'hostNetwork', line: 12, column: 28 }],
      },
      {
        kind: 'kubernetes',
        code: 'apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: vc\nspec:\n  plugins:\n    pytorch: ["--master=master", "--worker=worker", "--port=23456"]\n  tasks:\n    - name: master\n      template:\n        spec:\n          containers:\n            - name: m\n              image: trainer\n              ports:\n                - containerPort: 29500\n                  hostPort: 29500\n',
        errors: [{ messageId: 'hostPort', line: 17, column: 29 }],
      },
      {
        kind: 'compose',
        code: 'services:\n  trainer:\n    image: trainer\n    environment:\n      MASTER_PORT: "29600"\n    ports:\n      - "29600:29600"\n      - "0.0.0.0:29400:29400"\n      - target: 29500\n        published: 29500\n  worker:\n    image: trainer\n    network_mode: host\n    command: torchrun --nnodes=2 train.py\n',
        errors: [
          { messageId: 'composePort', line: 7, column: 9 },
          { messageId: 'composePort', line: 8, column: 9 },
          { messageId: 'composePort', line: 9, column: 9 },
          { messageId: 'composeHost', line: 13, column: 19 },
        ],
      },
      {
        kind: 'helm-values',
        code: 'master:\n  service:\n    type: LoadBalancer\n    port: 29500\ntraining:\n  hostNetwork: true\n  env:\n    MASTER_PORT: 29500\n',
        errors: [
          { messageId: 'service', line: 4, column: 11 },
          { messageId: 'hostNetwork', line: 6, column: 16 },
        ],
      },
    ],
  });
});
