import type { ProbeFamily } from '../probe.js';
import direct from './direct.js';
import encoding from './encoding.js';
import exfiltration from './exfiltration.js';
import extraction from './extraction.js';
import indirect from './indirect.js';
import jailbreakTemplate from './jailbreak-template.js';
import manyShot from './many-shot.js';
import payloadSplitting from './payload-splitting.js';
import smuggling from './smuggling.js';

/** Every probe family, listed by hand in report order. */
export const FAMILIES: readonly ProbeFamily[] = [
  direct,
  indirect,
  extraction,
  encoding,
  smuggling,
  jailbreakTemplate,
  exfiltration,
  payloadSplitting,
  manyShot,
];
