import { defineMalformedRule } from '../malformed.js';

/**
 * A safetensors file that fails any check of the safetensors crate (or has duplicate keys): the
 * message names the crate's error (HeaderTooLarge, InvalidOffset, MetadataIncompleteBuffer …).
 */
export default defineMalformedRule('safetensors', 'safetensors', 'safetensors file');
