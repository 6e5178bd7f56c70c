import dangerousGlobal from './dangerous-global.js';
import disallowedBuild from './disallowed-build.js';
import disallowedCall from './disallowed-call.js';
import disallowedMutation from './disallowed-mutation.js';
import extensionCode from './extension-code.js';
import malformedInput from './malformed-input.js';
import streamAnomaly from './stream-anomaly.js';
import tensorOutOfBounds from './tensor-out-of-bounds.js';
import torchLoadRefusal from './torch-load-refusal.js';
import unbuiltObject from './unbuilt-object.js';
import unknownGlobal from './unknown-global.js';
import unverifiedPersistentId from './unverified-persistent-id.js';

/** The pickle rules, sorted by id. */
export const pickleRules = [
  dangerousGlobal,
  disallowedBuild,
  disallowedCall,
  disallowedMutation,
  extensionCode,
  malformedInput,
  streamAnomaly,
  tensorOutOfBounds,
  torchLoadRefusal,
  unbuiltObject,
  unknownGlobal,
  unverifiedPersistentId,
] as const;
