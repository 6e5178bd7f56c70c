// A generator of workflow-like YAML inside the fast parser's subset, for differential tests.

/** Renders a random workflow-like YAML text from `seed` (mulberry32). */
export function renderYaml(seed: number): string {
  let state = seed | 0;
  const rand = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const KEYS = [
    'on',
    'jobs',
    'steps',
    'run',
    'uses',
    'with',
    'env',
    'if',
    'runs-on',
    'name',
    '1',
    '3.10',
    'true',
    'a b',
    '"q k"',
    "'s k'",
    'x-y_z',
    'é',
  ];
  const PLAIN = [
    'x',
    'ubuntu-latest',
    '3.10',
    '1e3',
    '-0',
    '0x1F',
    '0o7',
    '.inf',
    '~',
    'null',
    'True',
    'yes',
    'a b  c',
    'echo ${{ github.head_ref }}',
    'a#b',
    'http://h:1/p',
    '-v',
    'x[y]',
    'é😀',
  ];
  const QUOTED = [
    '"a b"',
    '"esc \\t\\n\\\\ \\x41"',
    "'it''s'",
    '""',
    "''",
    '"# not a comment"',
    '"3.10"',
    '"\\u00e9"',
  ];
  const FLOW = [
    '[]',
    '{}',
    '[a, b]',
    '["3.10", \'x\', 1]',
    '[[1, 2], [3]]',
    '{a: 1, b: [x]}',
    '{ "k": v }',
    '[a,b]',
  ];
  const comment = (): string =>
    rand() < 0.15 ? `${' '.repeat(Math.floor(rand() * 3))}# c${Math.floor(rand() * 9)}` : '';
  const gap = (): string => {
    let out = '';
    while (rand() < 0.12)
      out +=
        rand() < 0.5
          ? `${' '.repeat(Math.floor(rand() * 6))}\n`
          : `${' '.repeat(Math.floor(rand() * 8))}# note\n`;
    return out;
  };
  const blockScalar = (indent: number): string => {
    const header = pick(['|', '>', '|-', '>-', '|+', '>+']) + (rand() < 0.1 ? ' # h' : '');
    const base = indent + 1 + Math.floor(rand() * 3);
    let body = '';
    const lines = Math.floor(rand() * 5);
    for (let i = 0; i < lines; i++) {
      const r = rand();
      if (r < 0.15) body += '\n';
      else if (r < 0.25) {
        // Blank lines before the first content line may not be longer than its indentation.
        const room = body.trim() === '' ? base + 1 : base + 3;
        body += `${' '.repeat(Math.floor(rand() * room))}\n`;
      } else {
        // The first content line sets the indentation; later ones may go deeper, never shallower.
        const deeper = body.trim() !== '' && rand() < 0.2 ? 2 : 0;
        body += `${' '.repeat(base + deeper)}line ${i}${rand() < 0.1 ? ' # kept' : ''}\n`;
      }
    }
    return `${header}\n${body}`;
  };
  // Continuation lines of a multi-line plain scalar: indented past the collection at `indent`,
  // with blank lines (folded to line feeds), trailing spaces and sometimes a closing comment.
  const continuation = (indent: number): string => {
    let out = '';
    const lines = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < lines; i++) {
      while (rand() < 0.2) out += `${' '.repeat(Math.floor(rand() * (indent + 4)))}\n`;
      const word = pick(['more', 'x y', '--flag=1', 'a#b', '"q"', '[z]', '3.10', 'é', '-x']);
      out += `${' '.repeat(indent + 1 + Math.floor(rand() * 3))}${word}${rand() < 0.2 ? '  ' : ''}\n`;
    }
    return rand() < 0.1 ? `${out.slice(0, -1)} # end\n` : out;
  };
  // A flow collection over several lines: items indented past `indent`, comments and blank lines
  // between them, a trailing comma at times, the closing bracket at the block's column or deeper.
  const multiFlow = (indent: number): string => {
    const seq = rand() < 0.7;
    const items = Math.floor(rand() * 4);
    let out = seq ? '[' : '{';
    if (rand() < 0.2) out += ' # open';
    out += '\n';
    for (let i = 0; i < items; i++) {
      const item = seq
        ? pick(['a', '"b c"', "'d'", '1', '[x, y]', '{k: v}'])
        : `k${i}: ${pick(['v', '"w"', '[1]'])}`;
      const last = i === items - 1;
      const comma = last
        ? rand() < 0.5
          ? ','
          : ''
        : rand() < 0.8
          ? ','
          : '\n' + ' '.repeat(indent + 1) + ',';
      out += `${' '.repeat(indent + 1 + Math.floor(rand() * 3))}${item}${comma}${rand() < 0.15 ? '  # c' : ''}\n`;
      if (rand() < 0.1) out += rand() < 0.5 ? '\n' : '# col 0\n';
    }
    const closeAt = rand() < 0.6 ? indent : indent + 1 + Math.floor(rand() * 2);
    return `${out}${' '.repeat(closeAt)}${seq ? ']' : '}'}${rand() < 0.1 ? ' # t' : ''}\n`;
  };
  const inline = (indent: number): string => {
    const r = rand();
    if (r < 0.3) return `${pick(PLAIN)}${comment() ? ' # t' : ''}\n`;
    if (r < 0.4) return `${pick(PLAIN)}\n${continuation(indent)}`;
    if (r < 0.5) return `${pick(QUOTED)}\n`;
    if (r < 0.6) return `${pick(FLOW)}\n`;
    if (r < 0.67) return multiFlow(indent);
    if (r < 0.8) return blockScalar(indent);
    if (r < 0.87) {
      // A plain scalar that starts on the line after its key or dash.
      const first = pick(['x', 'pull_request', 'tflint --version', '3.10', 'true', 'a#b']);
      return `${rand() < 0.2 ? '  # c' : ''}\n${' '.repeat(indent + 1 + Math.floor(rand() * 3))}${first}\n${rand() < 0.5 ? continuation(indent) : ''}`;
    }
    return `${rand() < 0.5 ? '' : '  # empty'}\n`;
  };
  const node = (indent: number, depth: number, parent: 'map' | 'seq'): string => {
    // After `key:` or `- ` on the same line.
    const r = rand();
    if (depth < 4 && r < 0.25) {
      const child = indent + 1 + Math.floor(rand() * 3);
      return `${comment() ? ' # open' : ''}\n${gap()}${map(child, depth + 1)}`;
    }
    if (depth < 4 && r < 0.4) {
      const child = parent === 'map' && rand() < 0.4 ? indent : indent + 1 + Math.floor(rand() * 3);
      return `\n${gap()}${seq(child, depth + 1)}`;
    }
    return inline(indent);
  };
  const map = (indent: number, depth: number): string => {
    let out = '';
    const size = 1 + Math.floor(rand() * 4);
    const used = new Set<string>();
    for (let i = 0; i < size; i++) {
      let key = pick(KEYS);
      if (used.has(key)) key = `k${i}`;
      used.add(key);
      out += `${i === 0 ? '' : gap()}${' '.repeat(indent)}${key}:${rand() < 0.8 ? ' ' : '  '}${node(indent, depth, 'map')}`;
    }
    return out;
  };
  const seq = (indent: number, depth: number): string => {
    let out = '';
    const size = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < size; i++) {
      const prefix = `${i === 0 ? '' : gap()}${' '.repeat(indent)}-`;
      if (depth < 4 && rand() < 0.35) {
        // `- key: value` compact mapping: the first key shares the dash's line.
        const spaces = 1 + Math.floor(rand() * 2);
        const column = indent + 1 + spaces;
        out += `${prefix}${' '.repeat(spaces)}${map(column, depth + 1).slice(column)}`;
      } else out += `${prefix} ${node(indent, depth, 'seq')}`;
    }
    return out;
  };
  return `${gap()}${map(0, 0)}${gap()}`;
}
