import rule from '../../../src/rules/code/pickle-deserialization.js';
import { testCodeRule } from '../../helpers/test-code-rule.js';

testCodeRule(rule, {
  valid: [
    'import yaml\ncfg = yaml.safe_load(open("c.yaml"))\n',
    'import yaml\ncfg = yaml.load(open("c.yaml"), Loader=yaml.SafeLoader)\n',
    'import yaml\ncfg = yaml.load(open("c.yaml"), yaml.CSafeLoader)\n',
    'from yaml import load, SafeLoader\ncfg = load(s, Loader=SafeLoader)\n',
    'import numpy as np\na = np.load("a.npy")\nb = np.load("b.npy", allow_pickle=False)\n',
    'import json\nd = json.loads(s)\n',
    'import keras\nm = keras.models.load_model("m.keras")\n',
    // a user function called loads
    'def loads(s):\n    return s\nloads("x")\n',
  ],
  invalid: [
    {
      // Python NFKC-normalises identifiers: fullwidth `ｐｉｃｋｌｅ` is the pickle module
      code: 'import \uff50\uff49\uff43\uff4b\uff4c\uff45\nd = \uff50\uff49\uff43\uff4b\uff4c\uff45.loads(b)\n',
      errors: [{ messageId: 'deserialize', line: 2, column: 5 }],
    },
    {
      code: 'import pickle\nwith open("d.pkl", "rb") as f:\n    d = pickle.load(f)\n',
      errors: [{ messageId: 'deserialize', line: 3, column: 9, severity: 'medium' }],
    },
    {
      code: 'from pickle import loads\nimport cPickle as cp\nloads(b)\ncp.Unpickler(f)\n',
      errors: [
        { messageId: 'deserialize', line: 3, column: 1 },
        { messageId: 'deserialize', line: 4, column: 1 },
      ],
    },
    {
      code: 'import dill, cloudpickle, joblib, shelve, jsonpickle\ndill.loads(b)\ncloudpickle.load(f)\njoblib.load("m.joblib")\nshelve.open("db")\njsonpickle.decode(s)\n',
      errors: [
        { messageId: 'deserialize', line: 2, column: 1 },
        { messageId: 'deserialize', line: 3, column: 1 },
        { messageId: 'deserialize', line: 4, column: 1 },
        { messageId: 'deserialize', line: 5, column: 1 },
        { messageId: 'deserialize', line: 6, column: 1 },
      ],
    },
    {
      code: 'import pandas as pd\ndf = pd.read_pickle("df.pkl")\n',
      errors: [{ messageId: 'deserialize', line: 2, column: 6 }],
    },
    {
      // keyword and positional allow_pickle
      code: 'import numpy as np\na = np.load("a.npy", allow_pickle=True)\nb = np.load("b.npy", None, True)\n',
      errors: [
        { messageId: 'deserialize', line: 2, column: 5 },
        { messageId: 'deserialize', line: 3, column: 5 },
      ],
    },
    {
      code: 'import yaml\na = yaml.load(s)\nb = yaml.load(s, Loader=yaml.Loader)\nc = yaml.unsafe_load(s)\n',
      errors: [
        { messageId: 'deserialize', line: 2, column: 5 },
        { messageId: 'deserialize', line: 3, column: 5 },
        { messageId: 'deserialize', line: 4, column: 5 },
      ],
    },
    {
      code: 'import torch\nm = torch.jit.load("m.pt")\nfrom torch.package import PackageImporter\nimp = PackageImporter("p.pt")\n',
      errors: [
        { messageId: 'deserialize', line: 2, column: 5 },
        { messageId: 'deserialize', line: 4, column: 7 },
      ],
    },
    {
      code: 'import tensorflow as tf\nm = tf.keras.models.load_model("m.keras", safe_mode=False)\n',
      errors: [{ messageId: 'deserialize', line: 2, column: 5 }],
    },
    {
      // data from an HTTP download in the same function: high
      code: 'import pickle, requests\ndef fetch(url):\n    r = requests.get(url)\n    return pickle.loads(r.content)\n',
      errors: [{ messageId: 'deserializeUntrusted', line: 4, column: 12, severity: 'high' }],
    },
    {
      // the same name in another function is not tainted
      code: 'import pickle, requests\ndef a(url):\n    r = requests.get(url)\ndef b(r):\n    return pickle.loads(r)\n',
      errors: [{ messageId: 'deserialize', line: 5, column: 12, severity: 'medium' }],
    },
    {
      name: 'nb.ipynb',
      code: JSON.stringify({
        cells: [
          { cell_type: 'code', source: 'import pickle as pk', metadata: {}, outputs: [] },
          {
            cell_type: 'code',
            source: '%matplotlib inline\nobj = pk.load(open("x", "rb"))',
            metadata: {},
            outputs: [],
          },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
      errors: [{ messageId: 'deserialize', cell: 2, line: 2, column: 7 }],
    },
  ],
});
