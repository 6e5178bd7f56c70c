import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { RequestBudget } from '../../src/llm/budget.js';
import { postJson } from '../../src/llm/http-json.js';

// A loopback server that answers 429 with a huge Retry-After once, then a JSON reply.
let calls = 0;
const server: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    calls++;
    if (calls === 1) {
      res.writeHead(429, { 'retry-after': '3600', 'content-type': 'text/plain' });
      res.end('slow down');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
const ready = new Promise<string>((resolve) => {
  server.listen(0, '127.0.0.1', () => {
    resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`);
  });
});
after(() => {
  server.close();
});

describe('postJson', () => {
  // Without the cap the retry would wait an hour: the test's own timeout turns that into a failure.
  it(
    'honours Retry-After only up to its cap, so a server cannot stall a run',
    { timeout: 10_000 },
    async () => {
      const budget = new RequestBudget(5);
      const reply = await postJson(
        await ready,
        { q: 1 },
        {
          budget,
          retries: 2,
          timeoutMs: 5000,
          backoffMs: 10,
          maxResponseBytes: 1024,
          maxRetryAfterMs: 20,
        },
      );
      assert.deepEqual(reply, { ok: true });
      assert.equal(calls, 2);
    },
  );
});
