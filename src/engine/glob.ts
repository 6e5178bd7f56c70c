/**
 * Compiles a glob (`*` within one path segment, `**` across segments, `?` one character) into a
 * predicate over '/'-separated relative paths. A pattern without '/' also matches a base name,
 * as .gitignore does, so `--exclude '*.bin'` excludes `a/b/c.bin` and `--exclude cache` `a/cache/x`.
 */
export function compileGlob(pattern: string): (relPath: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:[^/]*/)*';
        } else {
          source += '.*';
        }
      } else {
        source += '[^/]*';
      }
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const re = new RegExp(`^${source}$`, 's');
  const baseOnly = !pattern.includes('/');
  return (relPath) => {
    const parts = relPath.replace(/^\.\//, '').split('/');
    // Like .gitignore: a pattern without '/' matches any one segment (a directory excludes all
    // below it); a pattern with '/' matches the whole path or one of its directory prefixes.
    if (baseOnly) return parts.some((part) => re.test(part));
    return parts.some((_, k) => re.test(parts.slice(0, k + 1).join('/')));
  };
}
