import type { ReportAt } from '../define-rule.js';
import type { ApiRead } from '../../github/snapshot.js';

/** Where to report something about an API object: the member at `path` of the read's JSON. */
export function atRead(read: ApiRead, path: readonly (string | number)[] = []): ReportAt {
  if (read.state === 'ok') return { uri: read.uri, span: read.doc.span(path), path };
  return { uri: read.uri, span: { start: 0, end: 0 }, path };
}
