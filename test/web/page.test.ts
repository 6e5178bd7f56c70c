import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MemoryQueue } from '../../src/server/memory-queue.js';
import { startService, type TestService } from '../helpers/service.js';

// The web page end to end in Debian's chromium (headless, driven by playwright-core): files
// picked on the page are scanned in a Web Worker by the bundled engine, or sent to the server
// and followed on the status page. Screenshots go to test-artifacts/web/ (gitignored).

const SHOTS = resolve('test-artifacts', 'web');
const BENIGN = resolve('test/fixtures/zip/ok/torch-state-dict.pt');
// Deflated members: the browser's inflate (the zlib shim over fflate) reads them.
const DEFLATED = resolve('test/fixtures/zip/ok/torch-deflated.pt');
const HOSTILE = resolve('test/fixtures/zip/evil/torch-evil.pt');

describe('web page in chromium', () => {
  let svc: TestService;
  let browser: Browser;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    svc = await startService(
      (store) => new MemoryQueue(store, { concurrency: 1, attempts: 1, timeoutMs: 30_000 }),
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    });
  });

  after(async () => {
    await browser.close();
    await svc.close();
  });

  const scanInBrowser = async (file: string, shot: string): Promise<Page> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Nothing may be uploaded in this mode.
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    await page.goto(`${svc.base}/`);
    await page.setInputFiles('#pick-files', file);
    await page.waitForSelector('[data-verdict]', { timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(posts, []);
    return page;
  };

  it('shows a benign checkpoint as safe, scanned in the browser', async () => {
    const page = await scanInBrowser(BENIGN, 'benign-safe.png');
    assert.equal(await page.getAttribute('[data-verdict]', 'data-verdict'), 'safe');
    assert.match((await page.textContent('#state')) ?? '', /nothing was uploaded/);
    await page.close();
  });

  it('reads deflated members with the browser inflate', async () => {
    const page = await scanInBrowser(DEFLATED, 'deflated-safe.png');
    assert.equal(await page.getAttribute('[data-verdict]', 'data-verdict'), 'safe');
    await page.close();
  });

  it('shows a hostile pickle as malicious, with the explanation and the fix', async () => {
    const page = await scanInBrowser(HOSTILE, 'hostile-malicious.png');
    assert.equal(await page.getAttribute('[data-verdict]', 'data-verdict'), 'malicious');
    const text = (await page.textContent('#results')) ?? '';
    assert.match(text, /pickle\/dangerous-global/);
    assert.match(text, /Why it matters: The unpickler imports the module/);
    assert.match(text, /Fix: Do not load the file/);
    await page.close();
  });

  it('sends a file to the server and follows it on the status page', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.base}/`);
    await page.check('#to-server');
    await page.setInputFiles('#pick-files', HOSTILE);
    await page.waitForURL(/\/scans\/[0-9a-f]{64}$/, { timeout: 30_000 });
    await page.waitForSelector('[data-verdict]', { timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'server-status-malicious.png'), fullPage: true });
    assert.equal(await page.getAttribute('#state', 'data-status'), 'done');
    assert.equal(await page.getAttribute('[data-verdict]', 'data-verdict'), 'malicious');
    await page.close();
  });
});
