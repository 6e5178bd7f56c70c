import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcNetTcp } from '../../src/probe/local.js';
import { isReportedListener } from '../../src/probe/run.js';
import { isNonPublic, parseTarget, TargetError } from '../../src/probe/targets.js';

// Lines as Linux 6.x writes them (header, then one socket per line; addresses in host order).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:7344 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:22B8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 100 0 0 10 0
   2: 0100007F:9C40 0100007F:7344 01 00000000:00000000 00:00000000 00000000     0        0 4244 1 0000000000000000 20 4 30 10 -1
   3: garbage
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1771 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5152 1 0000000000000000 100 0 0 10 0
`;

describe('parseProcNetTcp', () => {
  it('reads listening IPv4 sockets, skipping connections and garbage', () => {
    assert.deepEqual(parseProcNetTcp(TCP, 4), [
      { family: 4, address: '0.0.0.0', port: 29508, wildcard: true, inode: 4242 },
      { family: 4, address: '127.0.0.1', port: 8888, wildcard: false, inode: 4243 },
    ]);
  });

  it('reads IPv6 words in host byte order (:: and ::1)', () => {
    assert.deepEqual(parseProcNetTcp(TCP6, 6), [
      { family: 6, address: '::', port: 8080, wildcard: true, inode: 5151 },
      { family: 6, address: '::1', port: 6001, wildcard: false, inode: 5152 },
    ]);
  });

  it('reports a wildcard listener on an ML port or owned by an ML program, never a loopback one', () => {
    const base = { family: 4 as const, inode: 1 };
    assert.equal(
      isReportedListener({ ...base, address: '0.0.0.0', port: 29500, wildcard: true }),
      true,
    );
    assert.equal(
      isReportedListener({ ...base, address: '0.0.0.0', port: 4000, wildcard: true }),
      false,
    );
    assert.equal(
      isReportedListener({
        ...base,
        address: '0.0.0.0',
        port: 4000,
        wildcard: true,
        command: 'python -m torch.distributed.run train.py',
      }),
      true,
    );
    assert.equal(
      isReportedListener({ ...base, address: '127.0.0.1', port: 29500, wildcard: false }),
      false,
    );
  });
});

describe('parseTarget', () => {
  it('reads hosts, ports, bracketed and bare IPv6, and small CIDRs', () => {
    assert.deepEqual(parseTarget('node-1.cluster.local'), {
      text: 'node-1.cluster.local',
      host: 'node-1.cluster.local',
    });
    assert.deepEqual(parseTarget('10.0.0.5:29400'), {
      text: '10.0.0.5:29400',
      host: '10.0.0.5',
      port: 29400,
    });
    assert.deepEqual(parseTarget('[::1]:29500'), { text: '[::1]:29500', host: '::1', port: 29500 });
    assert.deepEqual(parseTarget('fd00::5'), { text: 'fd00::5', host: 'fd00::5' });
    assert.equal(parseTarget('192.168.1.77/24').addresses?.length, 256);
    assert.equal(parseTarget('192.168.1.77/24').addresses?.[0], '192.168.1.0');
    assert.deepEqual(parseTarget('10.1.2.3/31').addresses, ['10.1.2.2', '10.1.2.3']);
    assert.deepEqual(parseTarget('fd00::10/127').addresses, [
      'fd00:0:0:0:0:0:0:10',
      'fd00:0:0:0:0:0:0:11',
    ]);
  });

  it('throws TargetError for CIDRs over 256 addresses and malformed text', () => {
    for (const bad of [
      '10.0.0.0/16',
      'fd00::/64',
      '10.0.0.0/33',
      '1.2.3/24',
      '/24',
      'a_b',
      'x:y',
      '[1.2.3.4]:5',
      '',
    ]) {
      assert.throws(() => parseTarget(bad), TargetError, bad);
    }
  });
});

describe('isNonPublic', () => {
  it('accepts loopback, private, link-local, CGNAT and ULA; refuses the rest', () => {
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '::1',
      'fd12::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ]) {
      assert.equal(isNonPublic(a), true, a);
    }
    for (const a of [
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2001:db8::1',
      '::ffff:8.8.8.8',
      'example.com',
    ]) {
      assert.equal(isNonPublic(a), false, a);
    }
  });
});
