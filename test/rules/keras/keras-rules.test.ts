import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseKerasConfig } from '../../../src/formats/keras/index.js';
import customObject from '../../../src/rules/keras/custom-object.js';
import serializedFunction from '../../../src/rules/keras/serialized-function.js';
import { runRule, summary } from '../../helpers/issue4-rules.js';

const cfg = (text: string) => parseKerasConfig(text, 'keras-zip', '3.4.1', DEFAULT_LIMITS);
const DENSE =
  '{"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 2, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}}, "registered_name": null}';
const model = (...layers: string[]): string =>
  `{"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [${layers.join(', ')}]}, "registered_name": null}`;

describe('keras/serialized-function', () => {
  it('valid: plain Keras 3 and Keras 2 configs', () => {
    assert.deepEqual(runRule(serializedFunction, cfg(model(DENSE))), []);
    assert.deepEqual(
      runRule(
        serializedFunction,
        cfg(
          '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"name": "d"}}]}}',
        ),
      ),
      [],
    );
    assert.deepEqual(
      runRule(
        serializedFunction,
        cfg(
          model(
            '{"module": "keras.activations", "class_name": "function", "config": "relu", "registered_name": "function"}',
          ),
        ),
      ),
      [],
    );
  });

  it('invalid: Lambda layers (Keras 2 and 3), __lambda__ objects, function references', () => {
    assert.deepEqual(
      summary(
        runRule(
          serializedFunction,
          cfg(
            model(
              '{"module": "keras.layers", "class_name": "Lambda", "config": {"name": "lam", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAA=="}}}}',
            ),
          ),
        ),
      ),
      [
        [
          'lambda',
          'layer `lam` is a Lambda layer: loading it unmarshals and runs Python bytecode (keras-zip)',
        ],
        [
          'lambdaObject',
          'the config holds a serialized lambda (`__lambda__`) whose bytecode runs on load',
        ],
      ],
    );
    assert.deepEqual(
      summary(
        runRule(
          serializedFunction,
          cfg(
            model(
              '{"module": "os", "class_name": "function", "config": "system", "registered_name": "function"}',
            ),
          ),
        ),
      ),
      [
        [
          'functionRef',
          'the config references the function `os.system`, which Keras imports and may call on load (CVE-2025-1550)',
        ],
      ],
    );
    const [f] = runRule(
      serializedFunction,
      cfg(
        '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"name": "l", "function": ["4wE=", null, null], "function_type": "lambda"}}]}}',
      ),
    );
    assert.equal(f?.verdict, 'malicious');
    assert.deepEqual(f?.primary.path, ['config', 'layers', 0]);
  });
});

describe('keras/custom-object', () => {
  it('valid: objects from Keras modules only', () => {
    assert.deepEqual(runRule(customObject, cfg(model(DENSE))), []);
  });

  it('invalid: other modules, registered custom names, TFOpLambda', () => {
    assert.deepEqual(
      summary(
        runRule(
          customObject,
          cfg(
            model(
              '{"module": "my_pkg.layers", "class_name": "Attn", "config": {}, "registered_name": "my_pkg>Attn"}',
              '{"class_name": "Scaled", "config": {}, "registered_name": "Custom>Scaled"}',
              '{"class_name": "TFOpLambda", "config": {"name": "tf.math.add", "function": "math.add"}}',
            ),
          ),
        ),
      ),
      [
        [
          'module',
          '`Attn` comes from module `my_pkg.layers`, outside Keras: loading imports that module',
        ],
        [
          'registered',
          '`Scaled` is a custom registered object (`Custom>Scaled`) that needs its own code to load',
        ],
        ['tfOp', 'layer `tf.math.add` calls the TensorFlow function `math.add` by name'],
      ],
    );
  });
});

describe('Keras config decoding', () => {
  it('rejects non-JSON, non-objects and over-long text', () => {
    assert.throws(() => cfg('{"a": '), { code: 'BAD_JSON' });
    assert.throws(() => cfg('[1]'), { code: 'BAD_STRUCTURE' });
    assert.throws(
      () => parseKerasConfig('{}', 'h5', undefined, { ...DEFAULT_LIMITS, maxTextBytes: 1 }),
      { code: 'LIMIT_EXCEEDED' },
    );
  });
});
