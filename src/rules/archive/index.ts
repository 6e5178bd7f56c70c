import crcMismatch from './crc-mismatch.js';
import duplicateName from './duplicate-name.js';
import encryptedMember from './encrypted-member.js';
import malformedInput from './malformed-input.js';
import nameMismatch from './name-mismatch.js';
import nativeCode from './native-code.js';
import pathTraversal from './path-traversal.js';
import sizeMismatch from './size-mismatch.js';
import specialMember from './special-member.js';
import unsupportedMethod from './unsupported-method.js';
import zipFlagBits from './zip-flag-bits.js';

/** Container rules (zip, tar, compression wrappers), sorted by id. */
export const archiveRules = [
  crcMismatch,
  duplicateName,
  encryptedMember,
  malformedInput,
  nameMismatch,
  nativeCode,
  pathTraversal,
  sizeMismatch,
  specialMember,
  unsupportedMethod,
  zipFlagBits,
] as const;
