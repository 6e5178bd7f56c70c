import type { ByteSource } from '../../core/byte-source.js';
import { FormatError, limitError } from '../../core/errors.js';
import type { Span } from '../../core/finding.js';
import type { TorchScriptCode } from '../../formats/python/torchscript.js';
import type { MemberVerdict, UnitContext } from '../unit.js';

/** `<dir>/code/….py`: the Python-syntax code records torch.jit.save writes. */
const CODE_FILE = /^[^/]+\/code\/.*\.py$/;

/** Parse budget of one code record; the file's own deadline applies first. */
const PARSE_BUDGET_MS = 5_000;

/** Whether a zip member name is a TorchScript code record (`archive/code/__torch__/m.py`). */
export function isTorchScriptCodeName(name: string): boolean {
  return CODE_FILE.test(name);
}

/**
 * Scans one TorchScript code record as a unit of its own (format `torchscript-code`): decodes it
 * as Python source, parses it with the tree-sitter front end and runs the `torchscript` rules.
 * Text past `limits.maxTextBytes` is not read (LIMIT_EXCEEDED, the prefix is still judged); text
 * that is not Python source (NUL bytes, bad UTF-8) or does not parse is malformed, since
 * torch.jit.load could not compile it either. The grammar loads on the first code record only.
 */
export function scanTorchScriptCode(
  parent: UnitContext,
  name: string,
  source: ByteSource,
): Promise<MemberVerdict> {
  return parent.scanWith(name, 'torchscript-code', async (ctx) => {
    const limits = ctx.options.limits;
    const length = Math.min(source.size, limits.maxTextBytes);
    const tooLarge = limitError(
      source.size,
      limits.maxTextBytes,
      'maxTextBytes',
      limits.maxTextBytes,
      () =>
        `code record of ${source.size} bytes exceeds maxTextBytes; its first ${limits.maxTextBytes} bytes were read`,
    );
    if (tooLarge !== undefined) ctx.malformed('torch', tooLarge);
    const bytes = await source.read(0, length);
    const [{ decodePythonSource }, { loadPythonParser }, { readTorchScriptCode }] =
      await Promise.all([
        import('../../formats/python/source.js'),
        import('../../formats/python/parser.js'),
        import('../../formats/python/torchscript.js'),
      ]);
    let text: string;
    try {
      text = decodePythonSource(bytes);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.malformed('torch', error);
      // Undecodable text is still read as far as it goes; binary data (NUL) is not source.
      if (error.code !== 'BAD_UTF8') return;
      text = new TextDecoder('utf-8').decode(bytes);
    }
    const parser = await loadPythonParser();
    const budget = Math.max(1, Math.min(PARSE_BUDGET_MS, ctx.budget.deadline - Date.now()));
    const code = readTorchScriptCode(name, text, parser, budget);
    if (code === undefined) {
      throw new FormatError('LIMIT_EXCEEDED', `parsing took longer than ${budget} ms`, 0);
    }
    const bytesOf = byteOffsets(text, code);
    if (code.syntaxError !== undefined) {
      ctx.malformed(
        'torch',
        new FormatError(
          'BAD_VALUE',
          'code record does not parse as Python: torch.jit.load cannot compile it',
          bytesOf(code.syntaxError.start),
        ),
      );
    }
    await ctx.check('torchscript', inBytes(code, bytesOf));
  });
}

/** Findings of a member unit count bytes: the model's UTF-16 spans mapped to UTF-8 offsets. */
function inBytes(code: TorchScriptCode, at: (offset: number) => number): TorchScriptCode {
  const span = (s: Span): Span => ({ start: at(s.start), end: at(s.end) });
  return {
    ...code,
    calls: code.calls.map((c) => ({ ...c, span: span(c.span) })),
    imports: code.imports.map((m) => ({ ...m, span: span(m.span) })),
    names: new Map([...code.names].map(([k, s]) => [k, span(s)])),
    ...(code.syntaxError === undefined ? {} : { syntaxError: span(code.syntaxError) }),
  };
}

/**
 * UTF-16 offset → UTF-8 byte offset (identity for ASCII text, the usual TorchScript). For other
 * text every offset the model holds is mapped in one pass over the text, in sorted order.
 */
function byteOffsets(text: string, code: TorchScriptCode): (offset: number) => number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return (offset) => offset;
  const wanted = new Set<number>();
  const add = (s: Span): void => {
    wanted.add(s.start);
    wanted.add(s.end);
  };
  for (const c of code.calls) add(c.span);
  for (const m of code.imports) add(m.span);
  for (const s of code.names.values()) add(s);
  if (code.syntaxError !== undefined) add(code.syntaxError);
  const sorted = [...wanted].sort((a, b) => a - b);
  const mapped = new Map<number, number>();
  let bytes = 0;
  let i = 0;
  for (const offset of sorted) {
    for (; i < offset && i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        // A surrogate pair is one four-byte code point.
        bytes += 4;
        i++;
      } else bytes += 3;
    }
    mapped.set(offset, bytes);
  }
  return (offset) => mapped.get(offset) ?? offset;
}
