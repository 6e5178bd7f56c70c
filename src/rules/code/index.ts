import type { Rule } from '../define-rule.js';
import distributedExposure from './distributed-exposure.js';
import type { CodeAuditInput } from './input.js';
import parseError from './parse-error.js';
import pickleDeserialization from './pickle-deserialization.js';
import remoteCode from './remote-code.js';
import unpinnedHubRevision from './unpinned-hub-revision.js';
import unsafeTorchLoad from './unsafe-torch-load.js';
import unverifiedInstall from './unverified-install.js';

/** Every `code/*` rule, sorted by id (listed by hand, STYLE §3). */
export const codeRules: readonly Rule<CodeAuditInput>[] = [
  distributedExposure,
  parseError,
  pickleDeserialization,
  remoteCode,
  unpinnedHubRevision,
  unsafeTorchLoad,
  unverifiedInstall,
];
