/**
 * Release tags and the commits they point to, for popular actions: lets a `uses: x@<sha> # vN`
 * comment be checked offline. Facts gathered from public pins whose comments are verified by
 * their owners' CI (zizmorcore/zizmor's own workflows and its ref-version-mismatch test data at
 * commit 11bbf7e6, 2026-08-22, MIT) and from GitHub's release pages. Keys are lower-cased
 * `owner/repo[/path]`; a tag's commit never changes once published, unless the tag is moved.
 */
export const ACTION_TAGS_AS_OF = '2026-12-07';

export const ACTION_TAGS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(
  (
    [
      ['actions/checkout', 'v4.2.2', '11bd71901bbe5b1630ceea73d27597364c9af683'],
      ['actions/checkout', 'v7.0.1', '3d3c42e5aac5ba805825da76410c181273ba90b1'],
      ['actions/setup-node', 'v3.8.1', '5e21ff4d9bc1a8cf6de233a3057d20ec6b3fb69d'],
      ['actions/setup-node', 'v3.8.2', '1a4442cacd436585916779262731d5b162bc6ec7'],
      ['actions/attest', 'v4.2.2', '1e69f48acb82d1966a394da916b4c1698aa569d6'],
      ['actions/configure-pages', 'v6.0.0', '45bfe0192ca1faeb007ade9deae92b16b8254a0d'],
      ['actions/deploy-pages', 'v5.0.0', 'cd2ce8fcbc39b97be8ca5fce6e763baed58fa128'],
      ['actions/download-artifact', 'v8.0.1', '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c'],
      ['actions/upload-artifact', 'v7.0.1', '043fb46d1a93c77aae656e7c1c64a875d1fc6a0a'],
      ['actions/upload-pages-artifact', 'v5.0.0', 'fc324d3547104276b827a68afc52ff2a11cc49c9'],
      ['astral-sh/setup-uv', 'v9.0.0', 'c771a70e6277c0a99b617c7a806ffedaca235ff9'],
      ['docker/build-push-action', 'v7.3.0', '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a'],
      ['docker/login-action', 'v4.6.0', 'dbcb813823bdd20940b903addbd779551569679f'],
      ['docker/metadata-action', 'v6.2.0', 'dc802804100637a589fabce1cb79ff13a1411302'],
      ['docker/setup-buildx-action', 'v4.2.0', 'bb05f3f5519dd87d3ba754cc423b652a5edd6d2c'],
      ['github/codeql-action/upload-sarif', 'v4.37.6', '5595ccaf912efad79be6eef63a5619ff05969be3'],
      ['peter-evans/create-pull-request', 'v8.1.1', '5f6978faf089d4d20b00c7766989d076bb2fc7f1'],
      ['pyo3/maturin-action', 'v1.51.0', 'e83996d129638aa358a18fbd1dfb82f0b0fb5d3b'],
      ['swatinem/rust-cache', 'v2.9.2', '6323deb102c322ba6fcbdcafc7e3dddab59af2b6'],
      ['zizmorcore/zizmor-action', 'v0.6.2', '3dc1ecc9bcb9e94e9b2c709687979e1298497054'],
    ] as const
  ).reduce((map, [action, tag, sha]) => {
    const tags = map.get(action) ?? new Map<string, string>();
    tags.set(tag, sha);
    return map.set(action, tags);
  }, new Map<string, Map<string, string>>()),
);
