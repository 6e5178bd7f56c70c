import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli-io.js';
import type { Weaknesses } from '../helpers/redteam-target.js';
import { startRedteamTarget } from '../helpers/redteam-target.js';
import type { RedteamReport } from '../../src/redteam/report.js';

// torchward redteam against a real OpenAI-compatible server on loopback whose weaknesses are
// known: it must find exactly the families those weaknesses open, and no other.

const dir = mkdtempSync(join(tmpdir(), 'torchward-redteam-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function vulnerable(report: RedteamReport): string[] {
  return report.families.filter((f) => f.successes > 0).map((f) => f.id);
}

async function redteam(
  weaknesses: Weaknesses,
  args: readonly string[],
  faults: { rateLimitEvery?: number; failEvery?: number } = {},
): Promise<{ code: number; report: RedteamReport; stderr: string; requests: number }> {
  const target = await startRedteamTarget({ weaknesses, ...faults });
  try {
    const r = await runCli(
      ['redteam', '--target', target.url, '--format', 'json', '--attempts', '2', ...args],
      {},
      dir,
    );
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    return {
      code: r.code,
      report: JSON.parse(r.stdout) as RedteamReport,
      stderr: r.stderr,
      requests: target.requests(),
    };
  } finally {
    await target.close();
  }
}

describe('torchward redteam finds exactly the weaknesses of the target', () => {
  it('base64 overrides and system-prompt repetition: encoding and extraction only', async () => {
    const { code, report } = await redteam({ decodes: ['base64'], leaksOnRepeat: true }, []);
    assert.equal(code, 1);
    assert.deepEqual(vulnerable(report), ['extraction', 'encoding']);
    const hit = report.probes.filter((p) => p.successes > 0).map((p) => p.id);
    assert.deepEqual(hit, ['extraction/repeat', 'encoding/base64']);
    console.log(JSON.stringify(report.families));
  });
});
