export {
  isTraversalName,
  type ArchiveAnomaly,
  type ArchiveAnomalyKind,
  type ArchiveModel,
} from './anomaly.js';
export {
  decodeName,
  FLAG_ENCRYPTED,
  FLAG_PATCHED,
  parseZipDirectory,
  type ZipArchive,
  type ZipEntry,
} from './central-directory.js';
export {
  checkCrc,
  checkCrcOfSource,
  locateZipMember,
  openZipMember,
  openZipMemberPrefix,
  type OpenedZipMember,
  type ZipMemberLocation,
} from './member.js';
export {
  archiveDir,
  classifyZip,
  isStorageRecord,
  type TorchZipModel,
  type ZipLayout,
} from './torch-layout.js';
