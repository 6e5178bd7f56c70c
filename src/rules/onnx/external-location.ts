/** Why an external_data location is refused, or 'relative' when it is a plain relative path. */
export type LocationClass = 'relative' | 'empty' | 'absolute' | 'traversal';

/**
 * Classifies an ONNX external_data `location` the way onnx's own checker should (CVE-2022-25882,
 * CVE-2024-27318, CVE-2025-51480): absolute paths (POSIX, Windows drive or UNC, URL schemes) and
 * any `..` component (with either slash) escape the model folder. A NUL byte truncates the path in
 * C++ loaders and is refused too.
 */
export function classifyLocation(location: string): LocationClass {
  if (location === '') return 'empty';
  if (
    location.startsWith('/') ||
    location.startsWith('\\') ||
    /^[a-z][a-z0-9+.-]*:/i.test(location)
  ) {
    return 'absolute';
  }
  if (location.includes('\0') || location.split(/[\\/]/).includes('..')) return 'traversal';
  return 'relative';
}

/** The `location` value of an external_data entry list, or undefined when absent. */
export function locationOf(entries: readonly (readonly [string, string])[]): string | undefined {
  return entries.find(([k]) => k === 'location')?.[1];
}
