import { FormatError } from '../../src/core/errors.js';

/** 'ok' when `f` returns, the code of the FormatError it throws, or `other: …` for anything else. */
export function formatErrorCode(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (error) {
    return error instanceof FormatError ? error.code : `other: ${String(error)}`;
  }
}
