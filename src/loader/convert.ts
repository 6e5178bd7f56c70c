import { aliasesJson, ALIASES_KEY, dedupeTensors } from './dedupe.js';
import { LoadError } from './errors.js';
import { openCheckpoint, type Checkpoint, type OpenOptions } from './open-checkpoint.js';
import type { DroppedValue } from './pickle-walk.js';
import { planSafetensors, writeSafetensors } from './safetensors-writer.js';

/** Options of {@link convertToSafetensors}. */
export interface ConvertOptions extends OpenOptions {
  /** Replace an existing output file. */
  readonly force?: boolean;
  /**
   * Most bytes the output may hold. Default: 4 × the input size + 256 MiB. Views may alias one
   * storage many times (stride-0 broadcasts, repeated slices); safetensors forbids aliasing, so
   * each becomes its own copy, and a tiny hostile file could otherwise demand terabytes.
   */
  readonly maxOutputBytes?: number;
  /**
   * Write identical views of one storage (tied weights) once, under the first name, and record
   * the dropped names in `__metadata__["torchward.aliases"]` (default true). False copies each.
   */
  readonly dedupe?: boolean;
  /** @internal Gather budget for strided views (see WriteOptions.viewBlockBytes). */
  readonly viewBlockBytes?: number;
}

/** What a conversion wrote. */
export interface ConvertResult {
  readonly output: string;
  readonly tensors: number;
  readonly metadata: number;
  /** Names dropped as identical views of a kept tensor (dropped → kept). */
  readonly aliases: ReadonlyMap<string, string>;
  /** Size of the output file in bytes. */
  readonly bytes: number;
  /** With `tensorsOnly`: values left out (no JSON form), by key. */
  readonly dropped: readonly DroppedValue[];
  readonly checkpoint: Pick<Checkpoint, 'kind' | 'scan'>;
}

/** The default output bound for `inputBytes` of input (see ConvertOptions.maxOutputBytes). */
export function defaultMaxOutput(inputBytes: number): number {
  return inputBytes * 4 + 256 * 1024 * 1024;
}

/**
 * Converts the checkpoint at `input` to a safetensors file at `output`: opens it through the
 * scanner (only `safe` files), validates every tensor, lays the header out per the spec and
 * streams each tensor as its own contiguous copy. A refusal or failure throws (LoadError or the
 * fs error) and leaves no output file.
 */
export async function convertToSafetensors(
  input: string,
  output: string,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  const checkpoint = await openCheckpoint(input, options);
  try {
    const { tensors, aliases } =
      options.dedupe === false
        ? { tensors: checkpoint.tensors, aliases: new Map<string, string>() }
        : dedupeTensors(checkpoint.tensors);
    const metadata =
      aliases.size === 0
        ? checkpoint.metadata
        : [...checkpoint.metadata, { name: ALIASES_KEY, value: aliasesJson(aliases) }];
    const plan = planSafetensors(tensors, metadata, checkpoint.kind !== 'safetensors');
    const max = options.maxOutputBytes ?? defaultMaxOutput(checkpoint.file.size);
    if (plan.size > max) {
      throw new LoadError(
        'UNSUPPORTED',
        `the output would be ${plan.size} bytes, over the ${max}-byte bound for a ${checkpoint.file.size}-byte input ` +
          '(aliased or broadcast views expand when copied)',
      );
    }
    await writeSafetensors(plan, output, {
      force: options.force === true,
      ...(options.viewBlockBytes === undefined ? {} : { viewBlockBytes: options.viewBlockBytes }),
      // The bytes copied must be the bytes scanned.
      beforeCommit: () => {
        checkpoint.file.assertUnchanged(input);
      },
    });
    return {
      output,
      tensors: plan.tensors.length,
      metadata: checkpoint.metadata.length,
      aliases,
      dropped: checkpoint.dropped,
      bytes: plan.size,
      checkpoint: { kind: checkpoint.kind, scan: checkpoint.scan },
    };
  } finally {
    await checkpoint.close();
  }
}
