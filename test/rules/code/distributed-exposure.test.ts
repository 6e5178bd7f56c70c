import rule from '../../../src/rules/code/distributed-exposure.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

testCodeRule(rule, {
  valid: [
    'import torch.distributed as dist\ndist.init_process_group("nccl")\n',
    'import os\nos.environ["MASTER_ADDR"] = "10.0.0.4"\nos.environ["MASTER_PORT"] = "29500"\n',
    'import torch.distributed as dist\ndist.init_process_group("gloo", init_method="tcp://10.1.2.3:29500")\n',
    'import torch.distributed as dist\ndist.all_reduce(t)\ndist.broadcast(t, 0)\n',
    'import ray\nray.init(dashboard_host="127.0.0.1")\n',
    { name: 'run.sh', code: 'torchrun --nproc-per-node=8 --master-addr=$MASTER train.py\n' },
    { name: 'run.sh', code: 'jupyter lab --ip=127.0.0.1\ntensorboard --logdir runs\nmlflow ui\n' },
  ],
  invalid: [
    {
      // constant host, f-string endpoint, os.environ through an alias
      code: 'import os as o\nimport torch.distributed as dist\nhost = "0.0.0.0"\no.environ["MASTER_ADDR"] = host\ndist.init_process_group("gloo", init_method=f"tcp://{host}:29500")\n',
      errors: [
        { messageId: 'masterAddrExposed', line: 4, column: 28 },
        { messageId: 'tcpExposed', line: 5, column: 45 },
      ],
    },
    {
      code: 'import os\nos.environ.setdefault("MASTER_ADDR", "203.0.113.7")\n',
      errors: [{ messageId: 'masterAddrExposed', line: 2, column: 38 }],
    },
    {
      // TCPStore: keyword and positional is_master; a public host raises it to high
      code: 'from torch.distributed import TCPStore\ns = TCPStore("localhost", 29500, 2, True)\nt = TCPStore(host_name="0.0.0.0", port=1, is_master=True)\n',
      errors: [
        { messageId: 'tcpStoreMaster', line: 2, column: 5, severity: 'medium' },
        { messageId: 'tcpStoreMaster', line: 3, column: 5, severity: 'high' },
      ],
    },
    {
      code: 'import torch.distributed.rpc as rpc\nfrom torch.distributed.nn import RemoteModule\nrpc.init_rpc("w0", rank=0, world_size=2)\nr = rpc.rpc_sync("w1", f)\nm = RemoteModule("w1/cpu", Net)\n',
      errors: [
        { messageId: 'rpc', line: 3, column: 1 },
        { messageId: 'rpc', line: 4, column: 5 },
        { messageId: 'rpc', line: 5, column: 5 },
      ],
    },
    {
      code: 'from torch import distributed as dist\nout = [None]\ndist.all_gather_object(out, obj)\ndist.broadcast_object_list(out, src=0)\n',
      errors: [
        { messageId: 'objectCollective', line: 3, column: 1, severity: 'medium' },
        { messageId: 'objectCollective', line: 4, column: 1, severity: 'medium' },
      ],
    },
    {
      code: 'import ray\nray.init(dashboard_host="0.0.0.0")\n',
      errors: [{ messageId: 'serviceNoAuth', line: 2, column: 25 }],
    },
    {
      name: 'launch.sh',
      code: '#!/bin/sh\nexport MASTER_ADDR=0.0.0.0\ntorchrun --nnodes=2 --rdzv-endpoint 0.0.0.0:29400 train.py\npython -m torch.distributed.run --master_addr=198.51.100.1 train.py\n',
      errors: [
        { messageId: 'masterAddrExposed', line: 2, column: 8 },
        { messageId: 'tcpExposed', line: 3, column: 37 },
        { messageId: 'tcpExposed', line: 4, column: 33 },
      ],
    },
    {
      name: 'serve.sh',
      code: "jupyter notebook --ip=0.0.0.0 --NotebookApp.token='' --allow-root\njupyter lab --ip 0.0.0.0\ntensorboard --logdir runs --bind_all\nmlflow server --host 0.0.0.0\nray start --head --dashboard-host=0.0.0.0\n",
      errors: [
        { messageId: 'serviceNoAuth', line: 1, column: 18 },
        { messageId: 'serviceExposed', line: 2, column: 18, severity: 'medium' },
        { messageId: 'serviceExposed', line: 3, column: 27, severity: 'medium' },
        { messageId: 'serviceNoAuth', line: 4, column: 22 },
        { messageId: 'serviceNoAuth', line: 5, column: 18 },
      ],
    },
    {
      name: 'Dockerfile',
      code: 'FROM python:3.11\nENV MASTER_ADDR=0.0.0.0 MASTER_PORT=29500\nCMD ["torchrun", "--master-addr", "0.0.0.0", "train.py"]\n',
      errors: [
        { messageId: 'masterAddrExposed', line: 2, column: 5 },
        { messageId: 'tcpExposed', line: 3, column: 35 },
      ],
    },
    {
      name: 'nb.ipynb',
      code: JSON.stringify({
        cells: [
          {
            cell_type: 'code',
            source: ['x = 1\n', '!mlflow ui --host 0.0.0.0'],
            metadata: {},
            outputs: [],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
      errors: [{ messageId: 'serviceNoAuth', cell: 1, line: 2, column: 19 }],
    },
  ],
});
