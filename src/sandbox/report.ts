import type { SandboxReport } from './run.js';
import type { TraceItem } from './trace.js';

/** The report as JSON text (`"version": 1`), one object and a newline. */
export function renderSandboxJson(report: SandboxReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const MIB = 1024 * 1024;

/** The report as text for a person: what ran, how confined, how it ended, what it tried. */
export function renderSandboxText(report: SandboxReport): string {
  const s = report.sandbox;
  const lines: string[] = [];
  lines.push(`torchward sandbox: ${report.resolved.map(quote).join(' ')}`);
  lines.push(
    `  isolation: read-only root, private /tmp and home, network ${s.net === 'none' ? 'none' : 'loopback only'}, ` +
      `seccomp (${s.seccomp.arch}, ${s.seccomp.denied.length} syscalls denied)${s.uid === null ? '' : `, uid ${s.uid}`}`,
  );
  lines.push(
    `  limits: memory ${Math.round(s.limits.memoryBytes / MIB)} MiB, CPU ${s.limits.cpuSeconds} s, ` +
      `${s.limits.processes} processes, files ${Math.round(s.limits.fileSizeBytes / MIB)} MiB, timeout ${s.limits.timeoutSeconds} s`,
  );
  lines.push(`  inputs (read-only): ${s.inputs.length === 0 ? 'none' : s.inputs.join(', ')}`);
  lines.push(`  output (writable): ${s.output ?? 'none'}`);
  if (report.sensitive !== null) {
    lines.push(
      report.sensitive.checked
        ? `  sensitive-data check: ${report.sensitive.files} file(s), ${report.sensitive.bytes} bytes, nothing found`
        : '  sensitive-data check: skipped (--allow-sensitive)',
    );
  }
  const how =
    report.status === 'timeout'
      ? 'timed out'
      : report.status === 'signaled'
        ? `killed by ${report.signal ?? 'a signal'}`
        : 'exited';
  lines.push(
    `  result: ${how}, exit status ${report.exitCode}, ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  for (const hit of report.limitsHit) lines.push(`  limit hit: ${hit.message}`);
  const t = report.trace;
  if (t !== null) {
    lines.push(`  trace (strace, ${t.lines} lines):`);
    section(lines, 'network attempts', t.network);
    section(lines, 'reads outside the allowed paths', t.readsOutside);
    section(lines, 'writes outside the output', t.writesOutside);
    section(lines, 'denied syscalls', t.deniedSyscalls);
    section(lines, 'programs executed', t.executed);
    if (t.dropped > 0) lines.push(`    (${t.dropped} more distinct events not listed)`);
  }
  return `${lines.join('\n')}\n`;
}

function section(lines: string[], title: string, items: readonly TraceItem[]): void {
  lines.push(`    ${title}: ${items.length === 0 ? 'none' : ''}`.trimEnd());
  for (const item of items.slice(0, 50)) {
    const times = item.count > 1 ? ` (x${item.count})` : '';
    lines.push(`      ${item.syscall} ${item.target} -> ${item.result}${times}`);
  }
  if (items.length > 50) lines.push(`      ... ${items.length - 50} more (see --format json)`);
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
