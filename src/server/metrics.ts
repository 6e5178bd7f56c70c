import type { QueueCounts } from './queue.js';

/** Counters the service exposes at /metrics (Prometheus text format 0.0.4). */
export class Metrics {
  private readonly requests = new Map<string, number>();
  uploadedBytes = 0;
  submitted = 0;
  refusedUrls = 0;

  /** Counts one answered request by route pattern, method and status. */
  request(method: string, route: string, status: number): void {
    const key = `method="${method}",route="${escapeLabel(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** The exposition text, with the queue's job counts and this process's memory. */
  render(counts: QueueCounts | undefined): string {
    const lines: string[] = [];
    const metric = (
      name: string,
      type: string,
      help: string,
      samples: [string, number][],
    ): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        lines.push(`${name}${labels === '' ? '' : `{${labels}}`} ${value}`);
      }
    };
    metric('torchward_http_requests_total', 'counter', 'HTTP requests answered.', [
      ...this.requests.entries(),
    ]);
    metric('torchward_uploaded_bytes_total', 'counter', 'Artifact bytes stored.', [
      ['', this.uploadedBytes],
    ]);
    metric('torchward_scans_submitted_total', 'counter', 'Scan submissions accepted.', [
      ['', this.submitted],
    ]);
    metric(
      'torchward_urls_refused_total',
      'counter',
      'URL references refused (SSRF guard, scheme).',
      [['', this.refusedUrls]],
    );
    if (counts !== undefined) {
      metric(
        'torchward_scan_jobs',
        'gauge',
        'Scan jobs by state.',
        (Object.entries(counts) as [string, number][]).map(([state, n]) => [`state="${state}"`, n]),
      );
    }
    const mem = process.memoryUsage();
    metric('torchward_process_resident_memory_bytes', 'gauge', 'Resident set size.', [
      ['', mem.rss],
    ]);
    metric('torchward_process_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', mem.heapUsed]]);
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
