import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';

// A key is 32 random bytes (base64url) behind a prefix that makes a leaked key easy to find in
// logs and code. Its 256 bits of entropy make one SHA-256 a sufficient stored form: there is
// nothing to brute-force, so no slow password hash is needed.
const PREFIX = 'twk_';

/** One line of the keys file (JSON Lines): the key's id, its SHA-256 and when it was made. */
export interface StoredKey {
  readonly id: string;
  readonly sha256: string;
  readonly created: string;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Makes a new key, appends its hash (never the key) to `file`, and returns the key: the only
 * time it is seen.
 */
export async function createKey(file: string): Promise<{ key: string; id: string }> {
  const secret = randomBytes(32).toString('base64url');
  const key = `${PREFIX}${secret}`;
  const id = randomBytes(6).toString('hex');
  const line: StoredKey = {
    id,
    sha256: digest(key).toString('hex'),
    created: new Date().toISOString(),
  };
  await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  return { key, id };
}

/** The hashes of a keys file; lines that are not a stored key are refused (a typo'd file). */
export async function loadKeys(file: string): Promise<KeyRing> {
  const text = await readFile(file, 'utf8');
  const hashes: Buffer[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
    const sha = (parsed as { sha256?: unknown } | null)?.sha256;
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) {
      throw new Error(`${file}:${i + 1}: no sha256 of a key`);
    }
    hashes.push(Buffer.from(sha, 'hex'));
  }
  return new KeyRing(hashes);
}

/** The accepted keys, as hashes. */
export class KeyRing {
  constructor(private readonly hashes: readonly Buffer[]) {}

  get size(): number {
    return this.hashes.length;
  }

  /** True when `authorization` is `Bearer <a key of the ring>`. */
  accepts(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const m = /^Bearer ([\w-]{1,200})$/.exec(authorization.trim());
    if (m?.[1] === undefined) return false;
    const given = digest(m[1]);
    let ok = false;
    // Every hash is compared, in constant time each, whatever matched.
    for (const h of this.hashes) ok = timingSafeEqual(h, given) || ok;
    return ok;
  }
}
