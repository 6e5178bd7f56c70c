/**
 * Matches `text` against a glob: `**` matches any run of characters, `*` any run without `/`,
 * `?` one character other than `/`. Dynamic programming over (pattern, text) positions, so the
 * cost is at most pattern length × text length, with no regex backtracking.
 */
export function matchGlob(pattern: string, text: string): boolean {
  const tokens: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith('**', i)) {
      tokens.push('**');
      i++;
    } else tokens.push(pattern.charAt(i));
  }
  // reachable[j] = the first i tokens can match the first j characters.
  let reachable = new Array<boolean>(text.length + 1).fill(false);
  reachable[0] = true;
  for (const token of tokens) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    if (token === '**' || token === '*') {
      let open = false;
      for (let j = 0; j <= text.length; j++) {
        if (reachable[j] === true) open = true;
        if (open) next[j] = true;
        if (token === '*' && text.charAt(j) === '/') open = false;
      }
    } else {
      for (let j = 0; j < text.length; j++) {
        if (reachable[j] !== true) continue;
        const c = text.charAt(j);
        if (token === '?' ? c !== '/' : c === token) next[j + 1] = true;
      }
    }
    reachable = next;
  }
  return reachable[text.length] === true;
}
