import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as api from '../src/index.js';

// Pins the runtime exports: changing this list is an API change.
it('exports exactly the public API', () => {
  assert.deepEqual(Object.keys(api).sort(), [
    'ALL_RULES',
    'ConfigError',
    'DEFAULT_LIMITS',
    'DEFAULT_SIGNATURE_NAME',
    'FileSource',
    'FormatError',
    'GADGETS',
    'MemorySource',
    'ProvenanceError',
    'TORCH_1_13_ALLOWLIST',
    'WEIGHTS_ONLY_ALLOWLIST',
    'auditWorkflowFiles',
    'buildManifest',
    'checkModelSignature',
    'decodePickle',
    'decodePickleSource',
    'failsGate',
    'isWorkflowPath',
    'loadConfig',
    'looksLikePickle',
    'main',
    'makeLimits',
    'matchGadget',
    'parseChecksumList',
    'parseConfig',
    'parseLfsPointer',
    'parseSafetensorsHeader',
    'parseWorkflowAuditConfig',
    'readSafetensorsHeader',
    'renderJson',
    'renderSarif',
    'renderText',
    'rootDigestOf',
    'scanBytes',
    'scanFile',
    'scanPaths',
    'signModel',
    'verifyModel',
  ]);
});
