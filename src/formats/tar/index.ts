export {
  decodeTorchTar,
  isTorchTar,
  TORCH_TAR_MEMBERS,
  torchTarMember,
  type TorchTarScan,
} from './torch-tar.js';
export { readTarArchive, type TarArchive, type TarMember } from './tar-archive.js';
