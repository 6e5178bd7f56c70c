/**
 * A masked form of a sensitive value for reports: at most a quarter of its characters (and at
 * most four) stay visible, the rest become `*`; long values are shortened with their length.
 * An email keeps the first letter of its local part and its top-level domain; a card or account
 * number its last four digits. The full value never appears.
 */
export function maskValue(value: string, entity: string): string {
  // Code points, so a mask never splits a surrogate pair (grapheme clusters do not matter here).
  const chars = Array.from(value);
  if (entity === 'email') {
    const tld = value.slice(value.lastIndexOf('.'));
    return `${chars[0] ?? ''}***@***${tld.length <= 8 ? tld : ''}`;
  }
  const visible = Math.min(4, Math.floor(chars.length / 4));
  if (visible === 0) return '*'.repeat(Math.min(chars.length, 8));
  const digitsOnly = /^[\d\s-]+$/.test(value);
  // Numbers keep their tail (the last four digits identify a card to its owner, not to others);
  // tokens keep their head (the provider prefix says which credential it is).
  const stars = Math.min(chars.length - visible, 16);
  const suffix = chars.length - visible > 16 ? `…(${chars.length} chars)` : '';
  return digitsOnly
    ? '*'.repeat(stars) + chars.slice(-visible).join('') + suffix
    : chars.slice(0, visible).join('') + '*'.repeat(stars) + suffix;
}
