import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from '../../src/core/byte-source.js';
import type { PickleValue, PyGlobal } from '../../src/formats/pickle/value.js';
import { LoadError } from '../../src/loader/errors.js';
import { walkTorchPickle, type DeclaredStorage } from '../../src/loader/pickle-walk.js';
import type { StorageRef } from '../../src/loader/tensor.js';

// Hand-built symbolic values for what torch 1.13 cannot write: _rebuild_tensor_v3 (new dtypes),
// _rebuild_parameter_with_state, _rebuild_from_type_v2 (torch >= 2.0).

const g = (module: string, name: string): PyGlobal => ({
  kind: 'global',
  module,
  name,
  rawModule: module,
  rawName: name,
  dotted: false,
  opcode: 'GLOBAL',
  offset: 0,
});
const tuple = (...items: PickleValue[]): PickleValue => ({ kind: 'tuple', items, offset: 0 });
const call = (callee: PickleValue, ...args: PickleValue[]): PickleValue => ({
  kind: 'call',
  callee,
  args: tuple(...args),
  opcode: 'REDUCE',
  offset: 0,
});
const pid = (type: PyGlobal, key: string, numel: number, view?: PickleValue): PickleValue => ({
  kind: 'persistent',
  pid:
    view === undefined
      ? tuple('storage', type, key, 'cpu', numel)
      : tuple('storage', type, key, 'cpu', numel, view),
  opcode: 'BINPERSID',
  offset: 0,
});
const dict = (...entries: [PickleValue, PickleValue][]): PickleValue => ({
  kind: 'dict',
  entries,
  offset: 0,
});
const hooks = call(g('collections', 'OrderedDict'));

function resolver(sizes: Record<string, number>): (s: DeclaredStorage) => StorageRef {
  return (s) => ({
    key: s.key,
    source: new MemorySource(new Uint8Array(sizes[s.key] ?? 0)),
    start: 0,
    nbytes: sizes[s.key] ?? 0,
    bigEndian: false,
  });
}

describe('walkTorchPickle', () => {
  it('reads _rebuild_tensor_v3 with an untyped storage and an explicit float8 dtype', () => {
    const v3 = call(
      g('torch._utils', '_rebuild_tensor_v3'),
      pid(g('torch', 'UntypedStorage'), '0', 12),
      0,
      tuple(3, 4),
      tuple(4, 1),
      false,
      hooks,
      g('torch', 'float8_e4m3fn'),
    );
    const [w] = walkTorchPickle(dict(['w', v3]), resolver({ '0': 12 })).tensors;
    assert.ok(w);
    assert.equal(w.dtype.safetensors, 'F8_E4M3');
    assert.deepEqual(w.shape, [3, 4]);
  });

  it('reads parameters with state and tensors rebuilt through _rebuild_from_type_v2', () => {
    const inner = call(
      g('torch._utils', '_rebuild_tensor_v2'),
      pid(g('torch', 'HalfStorage'), '0', 4),
      0,
      tuple(4),
      tuple(1),
      false,
      hooks,
    );
    const param = call(
      g('torch._utils', '_rebuild_parameter_with_state'),
      inner,
      true,
      hooks,
      dict(),
    );
    const retyped = call(
      g('torch._tensor', '_rebuild_from_type_v2'),
      g('torch._utils', '_rebuild_tensor_v2'),
      g('torch', 'Tensor'),
      tuple(pid(g('torch', 'HalfStorage'), '0', 4), 1, tuple(2), tuple(1), false, hooks),
      dict(),
    );
    const { tensors } = walkTorchPickle(dict(['p', param], ['r', retyped]), resolver({ '0': 8 }));
    assert.deepEqual(
      tensors.map((t) => [t.name, t.parameter, t.dtype.name, t.storageOffset]),
      [
        ['p', true, 'float16', 0],
        ['r', false, 'float16', 1],
      ],
    );
  });

  it('refuses tensor subclasses, unknown storage types and non-persistent storages', () => {
    const refused = (root: PickleValue): void => {
      assert.throws(
        () => walkTorchPickle(root, resolver({ '0': 16 })),
        (e: unknown) => e instanceof LoadError && e.code === 'UNSUPPORTED',
      );
    };
    refused(
      call(
        g('torch._tensor', '_rebuild_from_type_v2'),
        g('torch._utils', '_rebuild_tensor_v2'),
        g('evil', 'Sub'),
        tuple(),
        dict(),
      ),
    );
    refused(
      call(
        g('torch._utils', '_rebuild_tensor_v2'),
        pid(g('numpy', 'ndarray'), '0', 4),
        0,
        tuple(4),
        tuple(1),
      ),
    );
    refused(call(g('torch._utils', '_rebuild_tensor_v2'), '0', 0, tuple(4), tuple(1)));
    refused(dict(['x', { kind: 'bytes', value: new Uint8Array(1), bytearray: false }]));
    refused(dict([tuple(1, 2), 3]));
  });

  it('refuses items the value model did not keep, and reads them when a call carries them', () => {
    const od = call(g('collections', 'OrderedDict'));
    const tensor = call(
      g('torch._utils', '_rebuild_tensor_v2'),
      pid(g('torch', 'FloatStorage'), '0', 2),
      0,
      tuple(2),
      tuple(1),
      false,
      hooks,
    );
    const lost = { opcode: 'SETITEMS' as const, target: od, count: 1, offset: 7 };
    assert.throws(
      () => walkTorchPickle(od, resolver({ '0': 8 }), [lost]),
      (e: unknown) =>
        e instanceof LoadError &&
        e.code === 'UNSUPPORTED' &&
        e.message.includes('SETITEMS at byte 7'),
    );
    // A call that carries its items (as the VM records them) is read like a dict.
    const kept = Object.assign(call(g('collections', 'OrderedDict')) as object, {
      entries: [['w', tensor]],
    }) as PickleValue;
    const { tensors } = walkTorchPickle(kept, resolver({ '0': 8 }), [{ ...lost, target: kept }]);
    assert.deepEqual(
      tensors.map((t) => t.name),
      ['w'],
    );
    // SETITEM on a rebuilt tensor (CVE-2026-24747 shape): never read as data.
    assert.throws(
      () =>
        walkTorchPickle(tensor, resolver({ '0': 8 }), [
          { ...lost, opcode: 'SETITEM', target: tensor },
        ]),
      LoadError,
    );
  });

  it('stops at limits.maxEntries tensors and values', () => {
    const root = dict(['a', 1], ['b', 2], ['c', 3]);
    assert.equal(walkTorchPickle(root, resolver({}), [], 3).metadata.length, 3);
    assert.throws(
      () => walkTorchPickle(root, resolver({}), [], 2),
      (e: unknown) => e instanceof LoadError && e.code === 'UNSUPPORTED',
    );
  });

  it('refuses self-referencing and exponentially shared leaves quickly', () => {
    const loop: PickleValue[] = [];
    const cyclic: PickleValue = { kind: 'list', items: loop, offset: 0 };
    loop.push(cyclic, cyclic);
    let laughs: PickleValue = 'lol';
    for (let i = 0; i < 40; i++) laughs = { kind: 'list', items: [laughs, laughs], offset: 0 };
    for (const bomb of [cyclic, laughs]) {
      assert.throws(
        () => walkTorchPickle(dict(['x', bomb]), resolver({})),
        (e: unknown) => e instanceof LoadError && e.code === 'UNSUPPORTED',
      );
    }
  });

  it('renders plain leaves as json.dumps would', () => {
    const { metadata } = walkTorchPickle(
      dict(
        ['lr', { kind: 'float', value: 1 }],
        ['nan', { kind: 'float', value: Number.NaN }],
        ['big', 2n ** 70n],
        [
          'groups',
          {
            kind: 'list',
            items: [dict([0, tuple({ kind: 'float', value: 0.5 }, null, true)])],
            offset: 0,
          },
        ],
      ),
      resolver({}),
    );
    assert.deepEqual(
      metadata.map((m) => [m.name, m.value]),
      [
        ['lr', '1.0'],
        ['nan', 'NaN'],
        ['big', '1180591620717411303424'],
        ['groups', '[{"0": [0.5, null, true]}]'],
      ],
    );
  });
});
