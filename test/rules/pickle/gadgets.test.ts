import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GADGETS, matchGadget } from '../../../src/rules/pickle/policy/gadgets.js';
import { WEIGHTS_ONLY_ALLOWLIST } from '../../../src/rules/pickle/policy/allowlist.js';
import {
  global,
  pk,
  proto,
  REDUCE,
  sbu,
  STACK_GLOBAL,
  STOP,
  TUPLE1,
} from '../../formats/pickle/assemble.js';
import { judge, ruleIds } from './judge.js';

// One GLOBAL + REDUCE per §9.3 family member (module, name); each must be malicious.
const FAMILIES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  'exec/eval sinks': [
    ['builtins', 'eval'],
    ['builtins', 'exec'],
    ['runpy', '_run_code'],
    ['code', 'InteractiveInterpreter.runcode'],
    ['idlelib.pyshell', 'ModifiedInterpreter.runcode'],
    ['lib2to3.pgen2.grammar', 'Grammar.loads'],
    ['doctest', 'debug_script'],
    ['cProfile', 'run'],
    ['profile', 'runctx'],
    ['trace', 'Trace.run'],
    ['timeit', 'timeit'],
    ['bdb', 'Bdb.run'],
    ['pdb', 'run'],
    ['numpy.testing._private.utils', 'runstring'],
    ['numpy.f2py.crackfortran', 'getlincoef'],
    ['typing', '_eval_type'],
    ['typing', 'get_type_hints'],
    ['dataclasses', '_create_fn'],
    ['torch.jit.unsupported_tensor_ops', 'execWrapper'],
    ['torch._dynamo.guards', 'GuardBuilder.get'],
    ['torch.fx.experimental.symbolic_shapes', 'ShapeEnv.evaluate_guards_expression'],
    // Adversary pass (were unknown-global, suspicious): exec of a GraphModule's source, C++
    // compilation, shared-library loading, a re-exported runstring, .pth execution.
    ['torch.fx.graph_module', 'reduce_graph_module'],
    ['torch.fx.graph_module', '_forward_from_src'],
    ['torch.utils.cpp_extension', 'load_inline'],
    ['torch.ops', 'load_library'],
    ['numpy.testing', 'runstring'],
    ['site', 'addsitedir'],
    ['linecache', 'getlines'],
    ['torch.storage', 'UntypedStorage.from_file'],
    ['torch', 'from_file'],
    ['torch.utils.bottleneck.__main__', 'run_cprofile'],
  ],
  'process spawning': [
    ['subprocess', 'Popen'],
    ['os', 'system'],
    ['posix', 'system'],
    ['nt', 'system'],
    ['pty', 'spawn'],
    ['asyncio.unix_events', '_UnixSubprocessTransport._start'],
    ['uuid', '_get_command_stdout'],
    ['_osx_support', '_read_output'],
    ['_aix_support', '_read_cmd_output'],
    ['imaplib', 'IMAP4_stream'],
    ['_pyrepl.pager', 'pipe_pager'],
    ['torch.utils.collect_env', 'run'],
    ['torch._inductor.codecache', 'compile_file'],
    ['pydoc', 'pipepager'],
    ['venv', 'create'],
    ['pip', 'main'],
    ['ensurepip', '_run_pip'],
    ['setuptools._distutils.spawn', 'spawn'],
    ['multiprocessing.util', 'spawnv_passfds'],
    ['mailcap', 'findmatch'],
    ['pipes', 'Template'],
    ['test.support.script_helper', 'assert_python_ok'],
    ['mlflow.projects.backend.local', '_run_entry_point'],
  ],
  'resolvers and trampolines': [
    ['pkgutil', 'resolve_name'],
    ['pydoc', 'locate'],
    ['importlib', 'import_module'],
    ['builtins', '__import__'],
    ['builtins', 'getattr'],
    ['operator', 'attrgetter'],
    ['operator', 'methodcaller'],
    ['_operator', 'itemgetter'],
    ['operator', 'call'],
    ['functools', 'partial'],
    ['functools', 'cmp_to_key'],
    ['logging', 'Filterer.addFilter'],
    ['inspect', 'getmembers'],
    ['numpy._core.fromnumeric', '_wrapfunc'],
  ],
  'code objects': [
    ['types', 'CodeType'],
    ['types', 'FunctionType'],
    ['marshal', 'loads'],
    ['cloudpickle.cloudpickle', '_make_function'],
  ],
  'nested deserialization': [
    ['pickle', 'loads'],
    ['_pickle', 'loads'],
    ['torch.serialization', 'load'],
    ['torch.storage', '_load_from_bytes'],
    ['torch.utils._config_module', 'ConfigModule.load_config'],
    ['torch.utils.data.datapipes.utils.decoder', 'basichandlers'],
    ['joblib', 'load'],
    ['numpy', 'load'],
  ],
  'file and network': [
    ['logging', 'FileHandler'],
    ['_io', 'FileIO'],
    ['io', 'open'],
    ['distutils.file_util', 'write_file'],
    ['shutil', 'rmtree'],
    ['ssl', 'get_server_certificate'],
    ['socket', 'create_connection'],
    ['http.client', 'HTTPSConnection'],
    ['urllib.request', 'urlopen'],
    ['requests', 'get'],
    ['aiohttp', 'ClientSession'],
    ['webbrowser', 'open'],
    ['smtplib', 'SMTP'],
    ['pandas', 'read_csv'],
    ['ctypes', 'CDLL'],
  ],
  'scanner tampering': [
    ['fickling', 'hook'],
    ['picklescan', 'scanner'],
    ['modelaudit', 'core'],
  ],
};

describe('pickle gadget list', () => {
  for (const [family, members] of Object.entries(FAMILIES)) {
    it(`GLOBAL + REDUCE of every ${family} gadget is malicious`, () => {
      for (const [module, name] of members) {
        const j = judge(pk(proto(4), global(module, name), sbu('x'), TUPLE1, REDUCE, STOP));
        assert.equal(j.verdict, 'malicious', `${module}.${name}`);
        assert.ok(ruleIds(j).includes('pickle/dangerous-global'), `${module}.${name}`);
      }
    });
  }

  it('resolves py2 spellings and dotted attribute chains (bypass O6)', () => {
    assert.equal(judge(pk(proto(2), global('__builtin__', 'eval'), STOP)).verdict, 'malicious');
    // Under protocol 3 the py2 name is not remapped, but the spelling is still recognised.
    assert.equal(judge(pk(proto(3), global('__builtin__', 'exec'), STOP)).verdict, 'malicious');
    assert.equal(
      judge(pk(proto(2), global('copy_reg', '_reconstructor'), STOP)).verdict,
      'malicious',
    );
    assert.equal(
      judge(pk(proto(4), sbu('pathlib'), sbu('os.system'), STACK_GLOBAL, STOP)).verdict,
      'malicious',
    );
    assert.equal(judge(pk(proto(4), global('torch', 'os.system'), STOP)).verdict, 'malicious');
    assert.equal(
      judge(pk(proto(4), global('collections', 'abc.os.popen'), STOP)).verdict,
      'malicious',
    );
  });

  it('has sources on every entry and no entry that the allowlist also grants', () => {
    for (const g of GADGETS) {
      assert.ok(g.sources.length > 0, g.pattern);
    }
    for (const name of WEIGHTS_ONLY_ALLOWLIST) {
      const dot = name.lastIndexOf('.');
      assert.equal(matchGadget(name.slice(0, dot), name.slice(dot + 1)), undefined, name);
    }
  });

  it('can never be lifted by the user allowlist (pytorch#189445)', () => {
    const evil = pk(proto(2), global('builtins', 'eval'), sbu('1'), TUPLE1, REDUCE, STOP);
    assert.equal(judge(evil, { allowGlobals: ['builtins.eval'] }).verdict, 'malicious');
    const sub = pk(proto(2), global('subprocess', 'run'), sbu('id'), TUPLE1, REDUCE, STOP);
    assert.equal(judge(sub, { allowGlobals: ['subprocess.run'] }).verdict, 'malicious');
  });
});
