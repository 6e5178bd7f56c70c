import { IMPORT_MAPPING, NAME_MAPPING } from '../../../formats/pickle/compat-names.js';

/**
 * The curated gadget list: globals known to execute code, import or resolve names, spawn
 * processes, touch files or the network, deserialize nested payloads, build code objects or
 * tamper with scanners. It only explains and sets severity: a global off the allowlist is never
 * safe, whether or not it is listed here. No configuration can lift an entry (pytorch#189445).
 *
 * Sources: reference/model-formats.md §9.3 (picklescan GHSA groups in brackets there) and §10.
 */
export type GadgetCategory =
  | 'code-execution'
  | 'import-resolver'
  | 'process'
  | 'file'
  | 'network'
  | 'nested-deserialization'
  | 'code-object'
  | 'scanner-tampering';

export interface Gadget {
  /** A module (every name in it and its submodules) or an exact `module.name`. */
  readonly pattern: string;
  readonly match: 'module' | 'exact';
  readonly category: GadgetCategory;
  readonly severity: 'critical' | 'high';
  /** Where the entry comes from: advisories, CVEs, reference sections. */
  readonly sources: readonly string[];
}

const m = (
  pattern: string,
  category: GadgetCategory,
  sources: readonly string[],
  severity: 'critical' | 'high' = 'critical',
): Gadget => ({ pattern, match: 'module', category, severity, sources });
const x = (
  pattern: string,
  category: GadgetCategory,
  sources: readonly string[],
  severity: 'critical' | 'high' = 'critical',
): Gadget => ({ pattern, match: 'exact', category, severity, sources });

const R93 = 'reference §9.3';

/** Every gadget, sorted by pattern. */
export const GADGETS: readonly Gadget[] = [
  // Process spawning and the OS interface (torch's own GLOBAL blocklist: sys os posix nt).
  m('os', 'process', [R93, 'torch weights_only blocklist', 'picklescan _unsafe_globals']),
  m('posix', 'process', [R93, 'torch weights_only blocklist']),
  m('nt', 'process', [R93, 'torch weights_only blocklist']),
  m('sys', 'code-execution', ['torch weights_only blocklist', 'picklescan _unsafe_globals']),
  m('subprocess', 'process', [R93, 'pytorch#189445']),
  m('_posixsubprocess', 'process', [R93]),
  m('pty', 'process', [R93, 'GHSA-vqmv (picklescan)']),
  m('asyncio', 'process', [R93, 'CVE-2025-10157', 'GHSA-q77w (picklescan)']),
  x('uuid._get_command_stdout', 'process', [R93]),
  m('_osx_support', 'process', [R93]),
  m('_aix_support', 'process', [R93]),
  x('imaplib.IMAP4_stream', 'process', [R93]),
  m('_pyrepl', 'process', [R93, 'GHSA-g38g (picklescan)']),
  x('torch.utils.collect_env.run', 'process', [R93, 'GHSA-f745 (picklescan)']),
  x('torch.utils.collect_env.run_and_read_all', 'process', [R93, 'GHSA-jhph (picklescan)']),
  x('torch._inductor.codecache.compile_file', 'process', [R93]),
  x('pydoc.pipepager', 'process', [R93]),
  m('pydoc', 'import-resolver', [R93, 'GHSA-84r2 (picklescan)']),
  m('venv', 'process', [R93]),
  m('pip', 'process', [R93, 'CVE-2025-1716']),
  m('ensurepip', 'process', [R93, 'GHSA-xp4f (picklescan)']),
  m('setuptools', 'process', [R93]),
  m('distutils', 'file', [R93, 'GHSA-m273 (picklescan)']),
  x('multiprocessing.util.spawnv_passfds', 'process', [R93]),
  m('multiprocessing', 'process', [R93]),
  m('mailcap', 'process', [R93]),
  m('pipes', 'process', [R93]),
  m('commands', 'process', ['picklescan _unsafe_globals']),
  m('popen2', 'process', ['python 2 process module']),
  m('test', 'process', [R93, 'test.support.script_helper.assert_python_ok']),
  x('mlflow.projects.backend.local._run_entry_point', 'process', [R93]),
  m('signal', 'process', ['process control'], 'high'),
  // Code execution sinks.
  x('builtins.eval', 'code-execution', [R93, 'pytorch#189445']),
  x('builtins.exec', 'code-execution', [R93, 'pytorch#189445']),
  x('builtins.compile', 'code-execution', [R93]),
  x('builtins.execfile', 'code-execution', ['python 2 builtin']),
  x('builtins.breakpoint', 'code-execution', [R93]),
  x('builtins.input', 'code-execution', ['reads stdin; python 2 evaluates it'], 'high'),
  x('builtins.help', 'code-execution', ['starts pydoc'], 'high'),
  x('builtins.exit', 'code-execution', ['terminates the loader'], 'high'),
  x('builtins.quit', 'code-execution', ['terminates the loader'], 'high'),
  x('builtins.apply', 'code-execution', ['picklescan _unsafe_globals']),
  m('runpy', 'code-execution', [R93]),
  m('code', 'code-execution', [R93, 'GHSA-cj3c (picklescan)']),
  m('codeop', 'code-execution', ['compiles source']),
  m('idlelib', 'code-execution', [R93, 'GHSA-m869, j343, 3gf5, 3vg9, 6w4w, 7cq8, 8r4j, 9xph']),
  m('lib2to3', 'code-execution', [R93, 'GHSA-f54q, p9w7 (picklescan)']),
  m('doctest', 'code-execution', [R93, 'GHSA-fqq6 (picklescan)']),
  m('cProfile', 'code-execution', [R93, 'GHSA-49gj, 9w88 (picklescan)']),
  m('profile', 'code-execution', [R93, 'GHSA-7wx9, x696, 6vqj (picklescan)']),
  m('trace', 'code-execution', [R93, 'GHSA-5qwp, g344 (picklescan)']),
  m('timeit', 'code-execution', [R93]),
  m('bdb', 'code-execution', [R93]),
  m('pdb', 'code-execution', [R93]),
  x('numpy.testing._private.utils.runstring', 'code-execution', [R93]),
  m('numpy.f2py', 'code-execution', [R93, 'GHSA-r8g5 (picklescan)']),
  x('typing._eval_type', 'code-execution', [R93, 'reference §11.4']),
  x('typing.get_type_hints', 'code-execution', [R93]),
  x('typing.ForwardRef', 'code-execution', [R93, 'evaluated by typing._eval_type'], 'high'),
  x('dataclasses._create_fn', 'code-execution', [R93, 'reference §11.4']),
  x('torch.jit.unsupported_tensor_ops.execWrapper', 'code-execution', [R93, 'GHSA-vr7h']),
  x('torch._dynamo.guards.GuardBuilder.get', 'code-execution', [R93, 'GHSA-86cj (picklescan)']),
  x('torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression', 'code-execution', [
    R93,
    'GHSA-f4x7 (picklescan)',
  ]),
  m('torch.utils.bottleneck', 'code-execution', [R93, 'GHSA-4r9r, 4whj (picklescan)']),
  x('torch.jit.annotations.parse_type_line', 'code-execution', ['CVE-2022-45907']),
  // Held-out techniques found by the adversary pass (docs/differential.md), each unknown-global
  // (suspicious) before: GraphModule's reducers exec the module's Python source; the extension
  // loaders compile C++ or dlopen a library; `site` runs .pth files.
  x('torch.fx.graph_module.reduce_graph_module', 'code-execution', ['exec of forward source']),
  x('torch.fx.graph_module.reduce_package_graph_module', 'code-execution', [
    'exec of forward source',
  ]),
  x('torch.fx.graph_module.reduce_deploy_graph_module', 'code-execution', [
    'exec of forward source',
  ]),
  x('torch.fx.graph_module._forward_from_src', 'code-execution', ['exec of forward source']),
  m('torch.utils.cpp_extension', 'process', ['compiles and loads C++ (load_inline)']),
  x('torch.ops.load_library', 'code-execution', ['dlopen of a shared library']),
  x('torch.classes.load_library', 'code-execution', ['dlopen of a shared library']),
  x('torch._ops.ops.load_library', 'code-execution', ['dlopen of a shared library']),
  x('numpy.testing.runstring', 'code-execution', ['re-export of numpy.testing._private.utils']),
  m('site', 'code-execution', ['addsitedir/main execute .pth files'], 'high'),
  m('scipy.stats._distn_infrastructure', 'code-execution', [R93, 'lifecycle __setstate__ exec']),
  x('scipy.stats._continuous_distns.norm_gen', 'code-execution', [R93]),
  x('scipy.stats.norm', 'code-execution', [R93]),
  // Import, name resolvers and trampolines.
  x('builtins.__import__', 'import-resolver', [R93, 'not on picklescan list']),
  x('builtins.getattr', 'import-resolver', [R93, 'picklescan _unsafe_globals']),
  x('builtins.setattr', 'import-resolver', ['attribute write channel']),
  x('builtins.delattr', 'import-resolver', ['attribute write channel']),
  x('builtins.hasattr', 'import-resolver', [R93, 'property trampoline']),
  x('builtins.globals', 'import-resolver', ['exposes module globals']),
  x('builtins.locals', 'import-resolver', ['exposes frame locals']),
  x('builtins.vars', 'import-resolver', ['exposes __dict__']),
  x('builtins.type', 'import-resolver', [R93, 'type(…, {x: property(f)})'], 'high'),
  x('builtins.property', 'import-resolver', [R93], 'high'),
  x('builtins.reload', 'import-resolver', ['python 2 builtin']),
  m('importlib', 'import-resolver', [R93, 'picklescan PR #74']),
  m('imp', 'import-resolver', ['legacy import machinery']),
  m('zipimport', 'import-resolver', ['imports code from archives']),
  x('pkgutil.resolve_name', 'import-resolver', [R93, 'GHSA-vvpj (picklescan)']),
  m('pkgutil', 'import-resolver', [R93]),
  x('operator.attrgetter', 'import-resolver', [R93, 'GHSA-955r, 46h3 (picklescan)']),
  x('operator.itemgetter', 'import-resolver', [R93, 'GHSA-955r, 46h3 (picklescan)']),
  x('operator.methodcaller', 'import-resolver', [R93, 'GHSA-84r2 (picklescan)']),
  x('operator.call', 'import-resolver', [R93, 'reference §11.4']),
  x('operator.getitem', 'import-resolver', ['container read trampoline'], 'high'),
  x('operator.setitem', 'import-resolver', ['container write trampoline'], 'high'),
  x('operator.lt', 'import-resolver', [R93, 'functools.cmp_to_key + operator.lt'], 'high'),
  m('_operator', 'import-resolver', [R93, 'GHSA-955r, 46h3 (picklescan)']),
  x('functools.partial', 'import-resolver', [R93, 'malicious19.pkl']),
  x('functools.reduce', 'import-resolver', ['calls a function repeatedly']),
  x('functools.cmp_to_key', 'import-resolver', [R93]),
  x('functools.cached_property', 'import-resolver', [R93]),
  m('_functools', 'import-resolver', ['C implementation of functools']),
  x('logging.Filterer.addFilter', 'import-resolver', [R93]),
  x('logging.Filterer.filter', 'import-resolver', [R93]),
  m('logging.config', 'code-execution', ['dictConfig/listen evaluate configuration']),
  x('inspect.getmembers', 'import-resolver', [R93]),
  x('numpy._core.fromnumeric._wrapfunc', 'import-resolver', [R93]),
  x('numpy.core.fromnumeric._wrapfunc', 'import-resolver', [R93]),
  m(
    'builtins.object',
    'import-resolver',
    ['object.__reduce_ex__ / __getattribute__ chains'],
    'high',
  ),
  // Code objects.
  x('types.CodeType', 'code-object', [R93, 'GHSA-9m3x (picklescan)']),
  x('types.FunctionType', 'code-object', [R93, 'reference §11.4']),
  x('types.LambdaType', 'code-object', [R93]),
  x('types.MethodType', 'code-object', ['binds functions']),
  x('types.ModuleType', 'code-object', ['creates modules']),
  m('marshal', 'code-object', [R93]),
  m('cloudpickle', 'code-object', [R93, 'GHSA-9m3x (picklescan)']),
  m('dill', 'code-object', ['serializes code objects']),
  // Nested deserialization.
  m('pickle', 'nested-deserialization', [R93]),
  m('_pickle', 'nested-deserialization', [R93]),
  m('pickletools', 'nested-deserialization', ['pickle disassembly with side channels'], 'high'),
  m('shelve', 'nested-deserialization', ['pickle-backed storage']),
  m('copyreg', 'nested-deserialization', ['registers reducers and extension codes'], 'high'),
  x('torch.serialization.load', 'nested-deserialization', [R93, 'malicious19.pkl']),
  x('torch.load', 'nested-deserialization', [R93]),
  x('torch.storage._load_from_bytes', 'nested-deserialization', [R93]),
  x('torch.utils._config_module.ConfigModule.load_config', 'nested-deserialization', [
    R93,
    'GHSA-vv6j (picklescan)',
  ]),
  m('torch.utils.data.datapipes.utils.decoder', 'nested-deserialization', [R93, 'GHSA-h3qp']),
  x('torch.jit.load', 'nested-deserialization', ['CVE-2025-32434']),
  m('torch.hub', 'nested-deserialization', ['downloads and runs hubconf.py']),
  m('torch.package', 'nested-deserialization', ['loads packaged code']),
  x('joblib.load', 'nested-deserialization', [R93, 'CVE-2024-34997']),
  x('numpy.load', 'nested-deserialization', [R93, 'CVE-2019-6446']),
  x('numpy.lib.npyio.load', 'nested-deserialization', [R93]),
  x('pandas.read_pickle', 'nested-deserialization', ['pickle loader']),
  x('pandas.read_csv', 'network', [R93, 'URL fetch'], 'high'),
  x('yaml.load', 'nested-deserialization', ['unsafe YAML loader']),
  x('yaml.unsafe_load', 'nested-deserialization', ['unsafe YAML loader']),
  // Files.
  x('builtins.open', 'file', [R93, 'picklescan _unsafe_globals'], 'high'),
  x('builtins.file', 'file', ['python 2 builtin'], 'high'),
  x('io.open', 'file', [R93, 'GHSA-9726-w42j-3qjr'], 'high'),
  x('io.FileIO', 'file', [R93, 'GHSA-9726-w42j-3qjr'], 'high'),
  m('linecache', 'file', ['reads any file (getlines)'], 'high'),
  x('torch.from_file', 'file', ['maps any file into a tensor'], 'high'),
  x('torch.storage.TypedStorage.from_file', 'file', ['maps any file'], 'high'),
  x('torch.storage.UntypedStorage.from_file', 'file', ['maps any file'], 'high'),
  x('torch.UntypedStorage.from_file', 'file', ['maps any file'], 'high'),
  x('torch.TypedStorage.from_file', 'file', ['maps any file'], 'high'),
  x('_io.FileIO', 'file', [R93, 'GHSA-9726-w42j-3qjr'], 'high'),
  x('_io.open', 'file', [R93], 'high'),
  x('codecs.open', 'file', ['opens files'], 'high'),
  x('logging.FileHandler', 'file', [R93, 'GHSA-m7j5-r2p5-c39r', 'CVE-2026-56304'], 'high'),
  m('shutil', 'file', [R93], 'high'),
  m('tempfile', 'file', ['creates files'], 'high'),
  m('glob', 'file', ['lists files'], 'high'),
  x('pathlib.Path', 'file', [R93, 'reference §11.4 (Path.touch)'], 'high'),
  x('pathlib.PosixPath', 'file', [R93, 'reference §11.4'], 'high'),
  x('pathlib.WindowsPath', 'file', [R93], 'high'),
  m('fileinput', 'file', ['opens files'], 'high'),
  m('ctypes', 'code-execution', [R93, 'GHSA-4675 (picklescan)']),
  m('_ctypes', 'code-execution', [R93]),
  // Network.
  m('socket', 'network', [R93], 'high'),
  m('_socket', 'network', [R93], 'high'),
  m('ssl', 'network', [R93, 'DNS exfiltration via get_server_certificate'], 'high'),
  m('http', 'network', [R93], 'high'),
  m('httplib', 'network', [R93], 'high'),
  m('urllib', 'network', [R93, 'GHSA-9726-w42j-3qjr'], 'high'),
  m('urllib2', 'network', ['python 2 urllib'], 'high'),
  m('requests', 'network', [R93], 'high'),
  m('aiohttp', 'network', [R93], 'high'),
  m('webbrowser', 'network', [R93], 'high'),
  m('smtplib', 'network', [R93], 'high'),
  m('ftplib', 'network', ['network client'], 'high'),
  m('telnetlib', 'network', ['network client'], 'high'),
  m('poplib', 'network', ['network client'], 'high'),
  m('nntplib', 'network', ['network client'], 'high'),
  m('xmlrpc', 'network', ['network client'], 'high'),
  m('socketserver', 'network', ['network server'], 'high'),
  m('antigravity', 'network', ['opens a web browser on import'], 'high'),
  // Scanner tampering (fickling ScannerDeactivation; ShadowPickle overwritten modules).
  m('fickling', 'scanner-tampering', [R93], 'high'),
  m('picklescan', 'scanner-tampering', [R93], 'high'),
  m('modelscan', 'scanner-tampering', [R93], 'high'),
  m('modelaudit', 'scanner-tampering', [R93], 'high'),
  m('torchward', 'scanner-tampering', ['this scanner'], 'high'),
  x('builtins.__builtins__', 'scanner-tampering', ['CWE-1395 overwritten modules'], 'high'),
].sort((a, b) => (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));

const EXACT = new Map<string, Gadget>();
const MODULES = new Map<string, Gadget>();
for (const g of GADGETS) (g.match === 'exact' ? EXACT : MODULES).set(g.pattern, g);

function matchQualified(qualified: string): Gadget | undefined {
  // Every dotted prefix, longest first: an attribute of a gadget (`functools.cached_property
  // .__get__`) is the gadget, and a module entry covers its submodules.
  let end = qualified.length;
  while (end > 0) {
    const prefix = qualified.slice(0, end);
    const hit = EXACT.get(prefix) ?? (end < qualified.length ? MODULES.get(prefix) : undefined);
    if (hit !== undefined) return hit;
    end = qualified.lastIndexOf('.', end - 1);
  }
  return undefined;
}

/**
 * The gadget a global reaches, if any. Checks `module.name`, the py2 spellings (NAME_MAPPING,
 * IMPORT_MAPPING, whatever the declared protocol), and every attribute-chain suffix of a dotted
 * name, since `pathlib` + `os.system` resolves to `os.system` (bypass O6).
 */
export function matchGadget(module: string, name: string): Gadget | undefined {
  const candidates = new Set<string>();
  const add = (mod: string, nm: string): void => {
    candidates.add(`${mod}.${nm}`);
    const parts = nm.split('.');
    for (let i = 0; i < parts.length - 1; i++) candidates.add(parts.slice(i).join('.'));
  };
  add(module, name);
  const mapped = NAME_MAPPING.get(`${module}\n${name}`);
  if (mapped !== undefined) add(mapped[0], mapped[1]);
  const mappedModule = IMPORT_MAPPING.get(module);
  if (mappedModule !== undefined) add(mappedModule, name);
  if (module === '__builtin__' || module === 'exceptions') add('builtins', name);
  if (module === 'copy_reg') add('copyreg', name);
  for (const c of candidates) {
    const hit = matchQualified(c);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
