import type { GuardFinding } from './types.js';

/** A span of the text to remove (or replace) with the finding that explains it. */
export interface FilterCut {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  readonly code: string;
  readonly message: string;
  readonly weight: number;
  readonly detail: string;
}

const RE_CONTAINER =
  /<(script|style|iframe|object|embed|noscript|template|svg|math|frameset|applet)\b[^<>]{0,2000}>?/gi;
const RE_EVENT_TAG = /<[a-z][\w-]{0,30}\s[^<>]{0,2000}?\bon[a-z]{2,30}\s*=[^<>]{0,2000}>?/gi;
const RE_DANGEROUS_TAG = /<(?:meta|link|base|form|frame|body)\b[^<>]{0,2000}>?/gi;
const RE_SCRIPT_URL = /\b(?:javascript|vbscript|livescript)\s*:|\bdata\s*:\s*text\/html\b/gi;
const RE_IMG_TAG = /<img\b[^<>]{0,2000}?\bsrc\s*=\s*["']?([^"'\s>]{1,2000})[^<>]{0,2000}>?/gi;
const RE_MD_IMAGE = /!\[([^\]\n]{0,500})\]\(\s*<?([^\s)>]{1,2000})>?(?:\s+"[^"\n]{0,500}")?\s*\)/g;
const RE_MD_LINK =
  /(?<!!)\[([^\]\n]{0,500})\]\(\s*<?(https?:\/\/[^\s)>]{1,2000})>?(?:\s+"[^"\n]{0,500}")?\s*\)/g;
const RE_MD_REF_DEF = /^[ \t]{0,3}\[[^\]\n]{1,200}\]:[ \t]{0,8}<?(https?:\/\/\S{1,2000})/gm;

/**
 * Finds executable HTML (script-like elements, event-handler attributes, script URLs), images
 * and links that point at hosts outside `allowHosts` (markdown and HTML image exfiltration, as in
 * garak web_injection and vigil's mdexfil rules), in `text`. Returns non-overlapping cuts in
 * order. Prompts may quote code, so only these constructs are removed, not all markup.
 */
export function findFilterCuts(text: string, allowHosts: readonly string[]): FilterCut[] {
  const cuts: FilterCut[] = [];
  RE_CONTAINER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RE_CONTAINER.exec(text)) !== null) {
    const tag = (m[1] ?? '').toLowerCase();
    const close = new RegExp(`</${tag}\\s*>`, 'gi');
    close.lastIndex = m.index + m[0].length;
    const c = close.exec(text);
    const end = c === null ? text.length : c.index + c[0].length;
    cuts.push({
      start: m.index,
      end,
      replacement: '',
      code: 'filter/html-script',
      message: `<${tag}> element removed (executable or active HTML)`,
      weight: 0.6,
      detail: text.slice(m.index, Math.min(end, m.index + 120)),
    });
    RE_CONTAINER.lastIndex = end;
  }
  for (const [re, code, message, weight] of [
    [
      RE_EVENT_TAG,
      'filter/html-event-handler',
      'HTML tag with an event-handler attribute removed',
      0.6,
    ],
    [
      RE_DANGEROUS_TAG,
      'filter/html-active-tag',
      'active HTML tag (meta, link, base, form …) removed',
      0.3,
    ],
    [RE_SCRIPT_URL, 'filter/script-url', 'script URL scheme removed', 0.5],
  ] as const) {
    re.lastIndex = 0;
    while ((m = re.exec(text)) !== null) {
      cuts.push({
        start: m.index,
        end: m.index + m[0].length,
        replacement: '',
        code,
        message,
        weight,
        detail: m[0].slice(0, 120),
      });
    }
  }
  RE_IMG_TAG.lastIndex = 0;
  while ((m = RE_IMG_TAG.exec(text)) !== null) {
    const url = m[1] ?? '';
    if (hostAllowed(url, allowHosts)) continue;
    cuts.push({
      start: m.index,
      end: m.index + m[0].length,
      replacement: '',
      code: 'filter/image-exfiltration',
      message:
        'HTML image from a host not on the allowlist removed (a rendered image leaks its URL)',
      weight: hasQuery(url) ? 0.7 : 0.45,
      detail: url.slice(0, 200),
    });
  }
  RE_MD_IMAGE.lastIndex = 0;
  while ((m = RE_MD_IMAGE.exec(text)) !== null) {
    const url = m[2] ?? '';
    if (hostAllowed(url, allowHosts)) continue;
    cuts.push({
      start: m.index,
      end: m.index + m[0].length,
      replacement: m[1] ?? '',
      code: 'filter/image-exfiltration',
      message:
        'markdown image from a host not on the allowlist removed (a rendered image leaks its URL)',
      weight: hasQuery(url) ? 0.7 : 0.45,
      detail: url.slice(0, 200),
    });
  }
  for (const [re, group] of [
    [RE_MD_LINK, 2],
    [RE_MD_REF_DEF, 1],
  ] as const) {
    re.lastIndex = 0;
    while ((m = re.exec(text)) !== null) {
      const url = m[group] ?? '';
      if (hostAllowed(url, allowHosts) || !hasQuery(url)) continue;
      cuts.push({
        start: m.index,
        end: m.index + m[0].length,
        replacement: group === 2 ? (m[1] ?? '') : '',
        code: 'filter/link-exfiltration',
        message: 'markdown link with a query to a host not on the allowlist removed',
        weight: templated(url) ? 0.55 : 0.15,
        detail: url.slice(0, 200),
      });
    }
  }
  cuts.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: FilterCut[] = [];
  let to = -1;
  for (const c of cuts) {
    if (c.start < to) continue;
    kept.push(c);
    to = c.end;
  }
  return kept;
}

/** Applies `cuts` (sorted, non-overlapping) to `text`. */
export function applyCuts(text: string, cuts: readonly FilterCut[]): string {
  if (cuts.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const c of cuts) {
    parts.push(text.slice(at, c.start), c.replacement);
    at = c.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Filter cuts as findings, offsets mapped back to the input by `at`. */
export function filterFindings(
  cuts: readonly FilterCut[],
  at: (o: number) => number,
): GuardFinding[] {
  return cuts.map((c) => ({
    stage: 'filter' as const,
    code: c.code,
    message: c.message,
    start: at(c.start),
    end: at(c.end),
    weight: c.weight,
    detail: c.detail,
  }));
}

function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url.startsWith('//') ? `https:${url}` : url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.toLowerCase() : '';
  } catch {
    return undefined;
  }
}

/** True when `url` is relative (no host) or its host is, or is under, an allowed host. */
export function hostAllowed(url: string, allowHosts: readonly string[]): boolean {
  const host = hostOf(url);
  if (host === undefined) return !/^[a-z][\w+.-]*:/i.test(url); // relative reference
  if (host === '') return false; // data:, javascript:, … in an image
  return allowHosts.some((h) => host === h || host.endsWith(`.${h}`));
}

function hasQuery(url: string): boolean {
  return /[?#]./.test(url) || url.length > 120;
}

function templated(url: string): boolean {
  return /[{}$<>[\]]|%7B|%24|\b(?:data|secret|token|key|password|q|query|chat|history|conversation|info)=/i.test(
    url,
  );
}
