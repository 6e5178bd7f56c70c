import type { OnnxModel } from '../../formats/onnx/index.js';

/** What the handler learned about one external data file, by `location`. */
export type ExternalFileState =
  | { readonly kind: 'present'; readonly size: number }
  | { readonly kind: 'missing' }
  /** The location is a plain relative path, but its real path (symlinks) leaves the model folder. */
  | { readonly kind: 'escapes'; readonly target: string }
  /** Not looked up: the model is an archive member, or its location is already refused. */
  | { readonly kind: 'unchecked' };

/** The input of `onnx` rules: the decoded model and the state of its external data files. */
export interface OnnxInput {
  readonly model: OnnxModel;
  readonly files: ReadonlyMap<string, ExternalFileState>;
}
