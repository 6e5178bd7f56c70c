// node:fs, node:fs/promises, node:path, node:module and node:worker_threads for the web bundle. The browser
// reads only what was dropped: a decoder that reaches for the file system or a worker thread (ONNX
// external data beside a model, the HDF5 and 7z WebAssembly workers, the tree-sitter grammar that
// parses TorchScript code) fails here, and the engine
// reports that file as not scanned (an internal-error finding), never as safe.

function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser build; scan this file with the CLI`);
}

export const read = (): never => unavailable('fs.read');
export const readSync = (): never => unavailable('fs.readSync');
export const open = (): Promise<never> =>
  Promise.reject(new Error('fs is not available in the browser build'));
export const realpath = open;
export const stat = open;
export const dirname = (): never => unavailable('path.dirname');
export const isAbsolute = (): boolean => false;
export const relative = (): never => unavailable('path.relative');
export const resolve = (): never => unavailable('path.resolve');
export const parentPort = null;
export const createRequire = (): never => unavailable('module.createRequire');

/** Constructing a worker thread fails: the WebAssembly decoders that need one do not run here. */
export function Worker(): never {
  return unavailable('worker_threads.Worker');
}
