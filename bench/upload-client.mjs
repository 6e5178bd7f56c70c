// The client side of the service's load runs, shared by bench/serve-load.mjs and
// test/server/load.test.ts: a safetensors artifact of any size generated while it is sent (one
// 1 MiB block of random bytes, repeated), never held whole and never written to disk here.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/**
 * A safetensors header for one U8 tensor of `n` bytes (8-byte length, JSON padded to 8).
 * @param {number} n
 * @returns {Buffer}
 */
export function safetensorsHeader(n) {
  let json = JSON.stringify({
    __metadata__: { format: 'pt' },
    weight: { dtype: 'U8', shape: [n], data_offsets: [0, n] },
  });
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = Buffer.alloc(8 + json.length);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  head.write(json, 8, 'latin1');
  return head;
}

/**
 * POSTs a generated safetensors file of `dataBytes` tensor bytes to `url`, with back-pressure;
 * `multipart` wraps it as the form part "file", else it is the raw body. `onBytes` sees every
 * artifact byte sent (header, then data), for a client-side hash.
 * @param {string | URL} url
 * @param {number} dataBytes
 * @param {{ multipart: boolean, onBytes?: (chunk: Buffer) => void }} options
 * @returns {Promise<{ status: number, text: string, size: number }>}
 */
export function sendGenerated(url, dataBytes, { multipart, onBytes }) {
  const boundary = `tw${randomBytes(8).toString('hex')}`;
  const head = multipart
    ? Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.safetensors"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      )
    : Buffer.alloc(0);
  const tail = multipart ? Buffer.from(`\r\n--${boundary}--\r\n`) : Buffer.alloc(0);
  const header = safetensorsHeader(dataBytes);
  const block = randomBytes(1024 * 1024);
  onBytes?.(header);
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': multipart
            ? `multipart/form-data; boundary=${boundary}`
            : 'application/octet-stream',
          'content-length': String(head.length + header.length + dataBytes + tail.length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, text, size: header.length + dataBytes }),
        );
      },
    );
    req.on('error', fail);
    req.write(head);
    req.write(header);
    let sent = 0;
    const pump = () => {
      while (sent < dataBytes) {
        const chunk = block.subarray(0, Math.min(block.length, dataBytes - sent));
        sent += chunk.length;
        onBytes?.(chunk);
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}
