export {
  decodeLegacyTorchTar,
  isLegacyTorchTar,
  LEGACY_TAR_MEMBERS,
  legacyTarMember,
  type LegacyTarScan,
} from './legacy-torch.js';
export { readTarArchive, type TarArchive, type TarMember } from './tar-archive.js';
