export {
  parseSafetensorsHeader,
  readSafetensorsHeader,
  SAFETENSORS_DTYPE_BITS,
  SAFETENSORS_MAX_HEADER,
  type SafetensorsHeader,
  type SafetensorsTensor,
} from './header.js';
export { MAX_JSON_DEPTH, parseStrictJson, type JsonValue } from '../json/strict-json.js';
