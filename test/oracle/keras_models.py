"""Stock Keras 3 models for test/rules/keras/keras-allowlist.test.ts (run with the torch 2.13 venv's
python and KERAS_BACKEND=torch).

  make DIR   builds the models below with Keras 3 itself and saves each as DIR/<name>.keras and,
             where the legacy format can hold it, DIR/<name>.h5; prints the list of files written
  variants DIR
             rewrites the config of DIR/mlp.keras (config.json) and DIR/mlp.h5 (the model_config
             attribute, with h5py) with each hand-built change of VARIANTS, into
             DIR/variant-<name>.keras and .h5; prints the list of files written
  names      prints the public class and function names of keras.layers, initializers,
             regularizers, constraints, activations, optimizers, losses and metrics as JSON
             ({version, classes: {namespace: [names]}, functions: {namespace: [names]}}), for
             checking the allowlist against the live Keras
"""

import json
import os
import sys

import keras
from keras import layers


def models():
    reg = keras.regularizers
    yield 'mlp', keras.Sequential([
        keras.Input((16,)),
        layers.Dense(32, activation='relu', kernel_regularizer=reg.L2(0.01),
                     kernel_constraint=keras.constraints.MaxNorm(2)),
        layers.Dropout(0.2),
        layers.Dense(8, activation=keras.activations.gelu, bias_regularizer=reg.L1L2(0.01, 0.01)),
        layers.BatchNormalization(),
        layers.Dense(1, activation='sigmoid', kernel_initializer=keras.initializers.HeNormal(seed=1)),
    ]), dict(optimizer=keras.optimizers.Adam(1e-3), loss='binary_crossentropy',
             metrics=['accuracy', keras.metrics.AUC()])

    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(8, 3, padding='same', activation='relu',
                      kernel_constraint=keras.constraints.UnitNorm())(inputs)
    x = layers.MaxPooling2D()(x)
    y = layers.SeparableConv2D(8, 3, padding='same')(x)
    y = layers.LayerNormalization()(y)
    x = layers.Add()([x, y])
    x = layers.Activation('swish')(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(10, activation='softmax')(x)
    yield 'cnn', keras.Model(inputs, x), dict(
        optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(), metrics=[keras.metrics.SparseCategoricalAccuracy()])

    tokens = keras.Input((20,), dtype='int32')
    x = layers.Embedding(100, 16, embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05))(tokens)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.GRU(8)(x)
    x = layers.Dense(3, activation=keras.activations.softmax)(x)
    yield 'rnn', keras.Model(tokens, x), dict(optimizer='rmsprop', loss='categorical_crossentropy')

    a = keras.Input((8,), name='a')
    b = keras.Input((8,), name='b')
    q = layers.Reshape((2, 4))(a)
    k = layers.Reshape((2, 4))(b)
    att = layers.MultiHeadAttention(num_heads=2, key_dim=4)(q, k)
    merged = layers.Concatenate()([layers.Flatten()(att), a, b])
    out = layers.Dense(2, activation=keras.activations.leaky_relu)(merged)
    yield 'multi_input', keras.Model([a, b], out), dict(
        optimizer=keras.optimizers.AdamW(), loss=keras.losses.MeanSquaredError(), metrics=['mae'])

    norm = layers.Normalization(mean=[0.0, 1.0], variance=[1.0, 4.0])
    yield 'preprocessing', keras.Sequential([
        keras.Input((2,)), norm, layers.Rescaling(0.5), layers.Dense(2, activation='elu'),
        layers.Dense(1),
    ]), dict(optimizer=keras.optimizers.Adagrad(), loss=keras.losses.Huber())


def make(folder):
    written = []
    for name, model, compile_args in models():
        if compile_args is not None:
            model.compile(**compile_args)
        path = os.path.join(folder, f'{name}.keras')
        model.save(path)
        written.append(path)
        path = os.path.join(folder, f'{name}.h5')
        model.save(path)
        written.append(path)
    print(json.dumps(written))


def names():
    spaces = {
        'layers': keras.layers, 'initializers': keras.initializers,
        'regularizers': keras.regularizers, 'constraints': keras.constraints,
        'activations': keras.activations, 'optimizers': keras.optimizers,
        'losses': keras.losses, 'metrics': keras.metrics,
        'schedules': keras.optimizers.schedules,
    }
    classes = {}
    functions = {}
    for key, module in spaces.items():
        public = [n for n in dir(module) if not n.startswith('_')]
        classes[key] = sorted(n for n in public if isinstance(getattr(module, n), type))
        functions[key] = sorted(n for n in public
                                if callable(getattr(module, n)) and not isinstance(getattr(module, n), type))
    print(json.dumps({'version': keras.__version__, 'classes': classes, 'functions': functions}))


def _fn(module, name):
    return {'module': module, 'class_name': 'function', 'config': name, 'registered_name': 'function'}


def _layers(config):
    """The layer list of a Sequential config (.keras: under config; .h5: the same)."""
    return config['config']['layers']


def _dense(config):
    return next(l for l in _layers(config) if l['class_name'] == 'Dense')


def _insert(config, layer):
    _layers(config).insert(1, layer)


def _set_activation(value):
    return lambda c: _dense(c)['config'].__setitem__('activation', value)


def _torch_module_wrapper():
    import torch
    from keras.layers import TorchModuleWrapper
    layer = TorchModuleWrapper(torch.nn.Linear(16, 16), name='torch_linear', output_shape=(None, 16))
    return keras.saving.serialize_keras_object(layer)


VARIANTS = {
    # Known gadgets: malicious.
    'get-file': _set_activation(_fn('keras.utils', 'get_file')),
    'enable-unsafe': _set_activation(_fn('keras.config', 'enable_unsafe_deserialization')),
    'tfsm-layer': lambda c: _insert(c, {
        'module': 'keras.layers', 'class_name': 'TFSMLayer', 'registered_name': None,
        'config': {'name': 'tfsm', 'filepath': '/tmp/attacker/saved_model', 'call_endpoint': 'serve'}}),
    'vocabulary-file': lambda c: _insert(c, {
        'module': 'keras.layers', 'class_name': 'StringLookup', 'registered_name': None,
        'config': {'name': 'lookup', 'vocabulary': '/etc/passwd', 'output_mode': 'int'}}),
    'lambda': lambda c: _insert(c, {
        'module': 'keras.layers', 'class_name': 'Lambda', 'registered_name': None,
        'config': {'name': 'l', 'function': {'class_name': '__lambda__',
                                             'config': {'code': '4wEAAAAAAAAA', 'defaults': None, 'closure': None}}}}),
    # A TorchModuleWrapper as Keras 3 itself serializes it: `module` is base64 of torch.save of a
    # whole nn.Module, which Keras hands to torch.load(weights_only=False) (CVE-2025-49655).
    'torch-module-wrapper': lambda c: _insert(c, _torch_module_wrapper()),
    # Outside the allowlist: suspicious.
    'unknown-class': lambda c: _insert(c, {
        'module': 'keras.layers', 'class_name': 'NotAKerasLayer', 'registered_name': None,
        'config': {'name': 'x'}}),
    'unknown-activation': _set_activation('definitely_not_an_activation'),
    'keras-function-not-listed': _set_activation(_fn('keras.ops', 'load')),
    'path-in-field': lambda c: _dense(c)['config'].__setitem__('name', '/etc/passwd'),
    # Inside the allowlist: safe.
    'vocabulary-inline': lambda c: _insert(c, {
        'module': 'keras.layers', 'class_name': 'StringLookup', 'registered_name': None,
        'config': {'name': 'lookup', 'vocabulary': ['cat', 'dog'], 'output_mode': 'int'}}),
    'activation-object': _set_activation(_fn('keras.activations', 'relu')),
}


def variants(folder):
    import shutil
    import zipfile

    import h5py

    written = []
    src = os.path.join(folder, 'mlp.keras')
    with zipfile.ZipFile(src) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    for name, change in VARIANTS.items():
        config = json.loads(members['config.json'])
        change(config)
        out = os.path.join(folder, f'variant-{name}.keras')
        with zipfile.ZipFile(out, 'w') as z:
            for member, data in members.items():
                z.writestr(member, json.dumps(config) if member == 'config.json' else data)
        written.append(out)
        out = os.path.join(folder, f'variant-{name}.h5')
        shutil.copyfile(os.path.join(folder, 'mlp.h5'), out)
        with h5py.File(out, 'r+') as f:
            config = json.loads(f.attrs['model_config'])
            change(config)
            f.attrs['model_config'] = json.dumps(config)
        written.append(out)
    print(json.dumps(written))


if __name__ == '__main__':
    import warnings
    warnings.simplefilter('ignore')
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    elif sys.argv[1] == 'variants':
        variants(sys.argv[2])
    elif sys.argv[1] == 'names':
        names()
    else:
        raise SystemExit(f'unknown command {sys.argv[1]}')
