/**
 * Storage of ggml tensor types (ggml `ggml.h` enum ggml_type and the type traits table): bytes per
 * block and elements per block. Types removed from ggml (4, 5, 31-33, 36-38) are absent: ggml
 * refuses a file with a tensor of a type it does not know, and so does the decoder.
 */
export const GGML_TYPE_SIZES: ReadonlyMap<
  number,
  { readonly name: string; readonly blockBytes: number; readonly blockSize: number }
> = new Map([
  [0, { name: 'F32', blockBytes: 4, blockSize: 1 }],
  [1, { name: 'F16', blockBytes: 2, blockSize: 1 }],
  [2, { name: 'Q4_0', blockBytes: 18, blockSize: 32 }],
  [3, { name: 'Q4_1', blockBytes: 20, blockSize: 32 }],
  [6, { name: 'Q5_0', blockBytes: 22, blockSize: 32 }],
  [7, { name: 'Q5_1', blockBytes: 24, blockSize: 32 }],
  [8, { name: 'Q8_0', blockBytes: 34, blockSize: 32 }],
  [9, { name: 'Q8_1', blockBytes: 36, blockSize: 32 }],
  [10, { name: 'Q2_K', blockBytes: 84, blockSize: 256 }],
  [11, { name: 'Q3_K', blockBytes: 110, blockSize: 256 }],
  [12, { name: 'Q4_K', blockBytes: 144, blockSize: 256 }],
  [13, { name: 'Q5_K', blockBytes: 176, blockSize: 256 }],
  [14, { name: 'Q6_K', blockBytes: 210, blockSize: 256 }],
  [15, { name: 'Q8_K', blockBytes: 292, blockSize: 256 }],
  [16, { name: 'IQ2_XXS', blockBytes: 66, blockSize: 256 }],
  [17, { name: 'IQ2_XS', blockBytes: 74, blockSize: 256 }],
  [18, { name: 'IQ3_XXS', blockBytes: 98, blockSize: 256 }],
  [19, { name: 'IQ1_S', blockBytes: 50, blockSize: 256 }],
  [20, { name: 'IQ4_NL', blockBytes: 18, blockSize: 32 }],
  [21, { name: 'IQ3_S', blockBytes: 110, blockSize: 256 }],
  [22, { name: 'IQ2_S', blockBytes: 82, blockSize: 256 }],
  [23, { name: 'IQ4_XS', blockBytes: 136, blockSize: 256 }],
  [24, { name: 'I8', blockBytes: 1, blockSize: 1 }],
  [25, { name: 'I16', blockBytes: 2, blockSize: 1 }],
  [26, { name: 'I32', blockBytes: 4, blockSize: 1 }],
  [27, { name: 'I64', blockBytes: 8, blockSize: 1 }],
  [28, { name: 'F64', blockBytes: 8, blockSize: 1 }],
  [29, { name: 'IQ1_M', blockBytes: 56, blockSize: 256 }],
  [30, { name: 'BF16', blockBytes: 2, blockSize: 1 }],
  [34, { name: 'TQ1_0', blockBytes: 54, blockSize: 256 }],
  [35, { name: 'TQ2_0', blockBytes: 66, blockSize: 256 }],
  // One E8M0 scale byte and 16 bytes of packed 4-bit values per 32 elements (gpt-oss models).
  [39, { name: 'MXFP4', blockBytes: 17, blockSize: 32 }],
]);
