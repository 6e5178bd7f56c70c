import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The OMS interoperability vectors vendored under test/fixtures (see their SOURCE.md). */
export const VECTORS = resolve(process.cwd(), 'test', 'fixtures', 'oms', 'model-signing');
export const KEYS = join(VECTORS, 'keys', 'certificate');
export const IDENTITY = 'stefanb@us.ibm.com';
export const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';

/** Every vector folder, with how to verify it. */
export const VECTOR_CASES = ['v1.0.0', 'v1.0.1', 'v1.1.0'].flatMap((version) =>
  (['elliptic-key', 'certificate', 'sigstore'] as const).map((kind) => ({
    version,
    kind,
    name: `${version}-${kind}`,
    // v1.0.0-elliptic-key signed the single file signme-1 (resource name ".").
    modelFile: version === 'v1.0.0' && kind === 'elliptic-key' ? 'signme-1' : undefined,
    // v1.0.1 does not record its ignored paths; the reference test passes them again.
    ignorePaths: version === 'v1.0.1' ? ['ignore-me'] : [],
  })),
);

/** A fresh temporary directory. */
export function tempDir(prefix = 'torchward-prov-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Copies a vector folder to a temporary directory (never write into shared/). */
export function copyVector(name: string): string {
  const dir = join(tempDir(), name);
  cpSync(join(VECTORS, name), dir, { recursive: true });
  return dir;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/**
 * A Sigstore trusted_root.json for offline keyless verification, taken from the TUF seed that
 * npm ships (@sigstore/tuf/seeds.json); undefined when this Node install has none.
 */
export function npmTrustedRoot(): unknown {
  const candidates = [
    // @sigstore/tuf is a devDependency for exactly this file; npm's own copy is the fallback.
    join(process.cwd(), 'node_modules', '@sigstore', 'tuf', 'seeds.json'),
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      '@sigstore',
      'tuf',
      'seeds.json',
    ),
    '/usr/lib/node_modules/npm/node_modules/@sigstore/tuf/seeds.json',
    '/usr/local/lib/node_modules/npm/node_modules/@sigstore/tuf/seeds.json',
  ];
  const file = candidates.find((c) => existsSync(c));
  if (file === undefined) return undefined;
  const seeds = JSON.parse(readText(file)) as Record<string, { targets: Record<string, string> }>;
  const target = seeds['https://tuf-repo-cdn.sigstore.dev']?.targets['trusted_root.json'];
  return target === undefined
    ? undefined
    : (JSON.parse(Buffer.from(target, 'base64').toString('utf8')) as unknown);
}

/** Writes the trusted root to a file and returns its path (for CLI and policy tests). */
export function trustedRootFile(root: unknown): string {
  const file = join(tempDir(), 'trusted_root.json');
  writeFileSync(file, JSON.stringify(root));
  return file;
}

/**
 * An independent verifier in Python (Debian's `cryptography` 38): checks the DSSE PAE signature
 * with the public key (key bundles, checking the hint too) or with the leaf of the bundle's chain
 * after checking each certificate's signature up to ROOT, recomputes every resource digest from
 * the files and the root digest, and checks the resource order equals Python's sorted() order.
 */
const PY_VERIFIER = String.raw`
import base64, hashlib, json, os, sys
from pathlib import PurePosixPath
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

bundle = json.load(open(sys.argv[1]))
model, trust = sys.argv[2], sys.argv[3]
env = bundle["dsseEnvelope"]
payload = base64.b64decode(env["payload"], validate=True)
ptype = env["payloadType"]
assert ptype == "application/vnd.in-toto+json", ptype
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype.encode(), len(payload), payload)
vm = bundle["verificationMaterial"]

def verify_issued(child, parent):
    key = parent.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), child.signature_hash_algorithm)
    else:
        key.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(child.signature_hash_algorithm))

if "publicKey" in vm:
    key = serialization.load_pem_public_key(open(trust, "rb").read())
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert vm["publicKey"]["hint"] == hashlib.sha256(pem).hexdigest(), "hint"
else:
    certs = [x509.load_der_x509_certificate(base64.b64decode(c["rawBytes"])) for c in vm["x509CertificateChain"]["certificates"]]
    root = x509.load_pem_x509_certificate(open(trust, "rb").read())
    chain = certs + [root]
    for child, parent in zip(chain, chain[1:]):
        assert child.issuer == parent.subject, "issuer name"
        verify_issued(child, parent)
    key = certs[0].public_key()

curve_hash = {"secp256r1": hashes.SHA256(), "secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}
key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae, ec.ECDSA(curve_hash[key.curve.name]))

st = json.loads(payload)
assert st["_type"] == "https://in-toto.io/Statement/v1"
assert st["predicateType"] == "https://model_signing/signature/v1.0"
ser = st["predicate"]["serialization"]
resources = st["predicate"]["resources"]
root_hash = hashlib.sha256()
keys = []
for r in resources:
    name = r["name"]
    if ser["method"] == "shards":
        path, start, end = name.rsplit(":", 2)
        start, end = int(start), int(end)
        keys.append((PurePosixPath(path), start, end))
    else:
        path, start, end = name, 0, None
        keys.append(PurePosixPath(path))
    full = model if path == "." else os.path.join(model, path)
    with open(full, "rb") as f:
        f.seek(start)
        data = f.read() if end is None else f.read(end - start)
    assert hashlib.sha256(data).hexdigest() == r["digest"], "digest of " + name
    root_hash.update(bytes.fromhex(r["digest"]))
assert keys == sorted(keys), "resource order"
assert root_hash.hexdigest() == st["subject"][0]["digest"]["sha256"], "root digest"
print("OK", len(resources))
`;

/** Runs the Python verifier; returns its exit status and output. */
export function pythonVerify(
  signature: string,
  model: string,
  trust: string,
): { status: number | null; out: string } {
  const script = join(tempDir(), 'verify_oms.py');
  writeFileSync(script, PY_VERIFIER);
  const r = spawnSync('/usr/bin/python3', [script, signature, model, trust], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Python's sorted() order of PurePosixPath names, as the reference orders resources. */
export function pythonPathOrder(names: readonly string[]): string[] {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import json,sys; from pathlib import PurePosixPath as P; print(json.dumps(sorted(json.load(sys.stdin), key=P)))',
    ],
    { input: JSON.stringify(names), encoding: 'utf8' },
  );
  return JSON.parse(r.stdout) as string[];
}
