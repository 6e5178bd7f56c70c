import type { Rule } from '../define-rule.js';
import distributedExposure, { pythonNeeds as distributedNeeds } from './distributed-exposure.js';
import type { CodeAuditInput } from './input.js';
import { pythonPrefilter, pythonTriggers, type PythonNeeds } from './needs.js';
import parseError, { pythonNeeds as parseErrorNeeds } from './parse-error.js';
import pickleDeserialization, { pythonNeeds as pickleNeeds } from './pickle-deserialization.js';
import remoteCode, { pythonNeeds as remoteCodeNeeds } from './remote-code.js';
import unpinnedHubRevision, { pythonNeeds as unpinnedNeeds } from './unpinned-hub-revision.js';
import unsafeTorchLoad, { pythonNeeds as torchLoadNeeds } from './unsafe-torch-load.js';
import unverifiedInstall, { pythonNeeds as installNeeds } from './unverified-install.js';

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

/** What each `code/*` rule reads of a Python model, by rule id (a test checks every rule has one). */
export const codePythonNeeds: ReadonlyMap<string, PythonNeeds> = new Map([
  [distributedExposure.id, distributedNeeds],
  [parseError.id, parseErrorNeeds],
  [pickleDeserialization.id, pickleNeeds],
  [remoteCode.id, remoteCodeNeeds],
  [unpinnedHubRevision.id, unpinnedNeeds],
  [unsafeTorchLoad.id, torchLoadNeeds],
  [unverifiedInstall.id, installNeeds],
]);

/**
 * False when no `code/*` rule can report on a Python text (or a notebook's code cells) whatever
 * its parse gives: the audit then skips the parse (code/parse-error's syntax finding aside).
 */
export const mayFireOnPython: (text: string) => boolean = pythonPrefilter(codePythonNeeds.values());

/**
 * The identifiers that make a Python statement worth parsing for the `code/*` rules (see
 * `slicePython`): the last parts of the audited names and the audited keywords.
 */
export const pythonTriggerWords: ReadonlySet<string> = pythonTriggers(codePythonNeeds.values());
