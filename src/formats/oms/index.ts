export { decodeBase64Strict, encodeBase64 } from './base64.js';
export {
  BUNDLE_MEDIA_TYPE_PREFIX,
  BUNDLE_V03_MEDIA_TYPE,
  parseOmsBundle,
  type OmsBundle,
  type OmsVerificationMaterial,
} from './bundle.js';
export { IN_TOTO_PAYLOAD_TYPE, dssePae } from './dsse.js';
export {
  IN_TOTO_STATEMENT_V1,
  OMS_PREDICATE_LEGACY,
  OMS_PREDICATE_V1,
  checkResourcePath,
  parseOmsStatement,
  type OmsHashType,
  type OmsResource,
  type OmsStatement,
} from './statement.js';
export {
  ecHashForKey,
  keyDetailsForKey,
  parseCertificateDer,
  parseCertificatesPem,
  parsePemBlocks,
  parsePublicKeyPem,
  readKeyUsage,
  type EcHash,
  type KeyUsageBits,
} from './x509.js';
