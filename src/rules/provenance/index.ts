import invalidSignature from './invalid-signature.js';
import missingSignature from './missing-signature.js';

/** Signature-policy rules (`scan --require-signature`), sorted by id. */
export const provenanceRules = [invalidSignature, missingSignature] as const;
