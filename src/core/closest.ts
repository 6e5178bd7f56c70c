// "Did you mean" for option names, command names and rule ids.

/** Edit distance between two short strings (option names, rule ids), for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The known word closest to `word` (a few edits away; or the only known word it is a prefix of),
 * for "did you mean" hints; undefined when none is close.
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  // The words can come from scanned files (ignore comments): the quadratic distance runs only on
  // short ones.
  if (word.length > 100) return undefined;
  const prefixed = known.filter((k) => k.startsWith(word) && word.length >= 3);
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  // Short words allow a transposition (two edits); longer ones about one edit per three letters.
  let bestDistance = word.length <= 5 ? 2 : Math.min(3, Math.floor(word.length / 3));
  for (const k of known) {
    const d = distance(word, k);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
