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
    'MemorySource',
    'ProvenanceError',
    'buildManifest',
    'checkModelSignature',
    'failsGate',
    'loadConfig',
    'main',
    'makeLimits',
    'parseChecksumList',
    'parseConfig',
    'parseLfsPointer',
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
