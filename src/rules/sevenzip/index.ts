import { defineMalformedRule } from '../malformed.js';
import encrypted from './encrypted.js';

/** 7z archive rules, sorted by id. */
export const sevenzipRules = [
  encrypted,
  defineMalformedRule('sevenzip', 'archive', '7z archive'),
] as const;
