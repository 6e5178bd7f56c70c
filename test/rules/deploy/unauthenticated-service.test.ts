import { describe } from 'node:test';
import rule from '../../../src/rules/deploy/unauthenticated-service.js';
import { testDeployRule } from '../../helpers/test-deploy-rule.js';

describe('deploy/unauthenticated-service', () => {
  testDeployRule(rule, {
    valid: [
      // Ray head as KubeRay runs it, dashboard on loopback; Jupyter with its default token.
      {
        kind: 'kubernetes',
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: head\nspec:\n  containers:\n    - name: ray\n      image: rayproject/ray:2.9.3\n      command: ["ray", "start", "--head", "--dashboard-host=127.0.0.1", "--block"]\n    - name: nb\n      image: jupyter/base-notebook\n      args: ["jupyter", "lab", "--ip=0.0.0.0"]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: dash\nspec:\n  type: ClusterIP\n  ports:\n    - port: 8265\n',
      },
      {
        kind: 'compose',
        code: 'services:\n  mlflow:\n    image: ghcr.io/mlflow/mlflow\n    command: mlflow server --host 0.0.0.0 --app-name basic-auth\n    ports:\n      - "127.0.0.1:8265:8265"\n  tb:\n    image: tensorflow/tensorflow\n    command: ["tensorboard", "--logdir", "/logs"]\n',
      },
      {
        kind: 'dockerfile',
        code: 'FROM pytorch/torchserve:0.12.0-cpu\nEXPOSE 8080\nCMD ["torchserve", "--start", "--ts-config", "/home/model-server/config.properties"]\n',
      },
      {
        kind: 'shell',
        code: '#!/bin/bash\n# tensorboard --bind_all  (commented out)\ndask scheduler --host 127.0.0.1 &\necho "jupyter --ip=0.0.0.0 --NotebookApp.token=" > notes.txt\n',
      },
    ],
    invalid: [
      {
        kind: 'kubernetes',
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: head\nspec:\n  containers:\n    - name: ray\n      image: rayproject/ray:2.9.3\n      command: ["ray", "start", "--head", "--dashboard-host=0.0.0.0"]\n    - name: nb\n      image: jupyter/base-notebook\n      command: [sh, -c, "jupyter notebook --ip=0.0.0.0 --NotebookApp.token= --allow-root"]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ray-head\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 8265\n    - port: 10001\n',
        errors: [
          { messageId: 'ray', line: 9, column: 43, endColumn: 69 },
          { messageId: 'jupyter', line: 12, column: 56 },
          { messageId: 'published', line: 21, column: 13 },
          { messageId: 'published', line: 22, column: 13 },
        ],
      },
      {
        kind: 'compose',
        code: 'services:\n  tb:\n    image: tensorflow/tensorflow\n    command: tensorboard --logdir /logs --bind_all\n  ts:\n    image: pytorch/torchserve\n    command: ["torchserve", "--start", "--disable-token-auth"]\n    ports:\n      - "8081:8081"\n',
        errors: [
          { messageId: 'tensorboard', line: 4, column: 41 },
          { messageId: 'torchserveToken', line: 7, column: 40 },
          { messageId: 'published', line: 9, column: 9 },
        ],
      },
      {
        kind: 'dockerfile',
        code: 'FROM python:3.11\nEXPOSE 8786/tcp 8787\nRUN printf "management_address=http://0.0.0.0:8081\\n" > /config.properties\nENTRYPOINT ["dask-scheduler"]\n',
        errors: [
          { messageId: 'expose', line: 2, column: 8, severity: 'low' },
          { messageId: 'torchserveAddress', line: 3, column: 13 },
          { messageId: 'dask', line: 4, column: 14 },
        ],
      },
      {
        kind: 'shell',
        code: '#!/bin/bash\n#SBATCH --nodes=4\nmlflow server \\\n  --host 0.0.0.0 --port 5000 &\ntensorboard --logdir runs --host 0.0.0.0 &\nsrun torchrun --nnodes 4 train.py\n',
        errors: [
          { messageId: 'mlflow', line: 4, column: 10 },
          { messageId: 'tensorboard', line: 5, column: 34 },
        ],
      },
    ],
  });
});
