/** A one-line progress bar on a TTY, redrawn at most every 100 ms; silent when disabled. */
export class ProgressBar {
  private last = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly enabled: boolean,
  ) {}

  update(done: number, total: number, path: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    // Short scans finish before the bar would help; start drawing after half a second.
    if (now - this.started < 500 || (now - this.last < 100 && done < total)) return;
    this.last = now;
    // Some terminals report 0 columns; assume 80 then.
    const columns =
      this.out.columns === undefined || this.out.columns === 0 ? 80 : this.out.columns;
    const width = Math.max(40, Math.min(columns, 120));
    const barWidth = 24;
    const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth);
    const head = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${done}/${total} `;
    const room = Math.max(0, width - head.length - 1);
    const tail = path.length > room ? `…${path.slice(path.length - room + 1)}` : path;
    this.out.write(`\r\u001b[2K${head}${tail}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.out.write('\r\u001b[2K');
  }
}
