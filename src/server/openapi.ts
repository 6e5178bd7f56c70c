/** The OpenAPI 3.1 description served at /openapi.json. */
export function openApiDocument(version: string): object {
  const error = {
    type: 'object',
    required: ['error', 'message'],
    properties: { error: { type: 'string' }, message: { type: 'string' } },
  };
  const errorResponse = (description: string): object => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  const id = {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The artifact SHA-256 (64 lowercase hex digits).',
    schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'torchward scanning service',
      version,
      description:
        'Submit model artifacts for a default-deny scan; read the same JSON report and SARIF as the torchward CLI.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: error,
        Health: {
          type: 'object',
          required: ['status', 'queue', 'store'],
          properties: {
            status: { enum: ['ok', 'degraded'] },
            queue: { type: 'boolean', description: 'The queue answers' },
            store: {
              type: 'object',
              required: ['kind', 'reachable'],
              properties: {
                kind: { enum: ['memory', 'redis', 'postgres'] },
                reachable: { type: 'boolean' },
                error: { type: 'string', description: 'Why not reachable: a short code' },
              },
            },
            reason: { type: 'string', description: 'With 503: what cannot be reached' },
          },
        },
        Submitted: {
          type: 'object',
          required: ['id', 'status'],
          properties: {
            id: { type: 'string' },
            status: { enum: ['queued', 'running', 'done', 'failed'] },
            size: { type: 'integer' },
            links: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        Scan: {
          type: 'object',
          required: ['id', 'status'],
          properties: {
            id: { type: 'string' },
            status: { enum: ['queued', 'running', 'done', 'failed'] },
            verdict: { enum: ['safe', 'suspicious', 'malicious', 'invalid'] },
            report: { type: 'object', description: 'torchward scan --format json' },
            error: { type: 'string' },
            attempts: { type: 'integer' },
          },
        },
      },
    },
    paths: {
      '/v1/scans': {
        post: {
          summary: 'Submit an artifact (multipart upload, field "file") or a URL reference',
          security: [{ bearer: [] }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: { file: { type: 'string', format: 'binary' } },
                },
              },
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['url'],
                  properties: {
                    url: {
                      type: 'string',
                      description:
                        'An http(s) URL of a public address, or a file of the Hugging Face Hub the service is configured for: hf://[datasets/|spaces/]OWNER/NAME[@REVISION]/PATH (REVISION percent-encoded when it holds "/", or refs/pr/N). The bytes must match the Hub\'s tree entry (LFS SHA-256 or git blob id).',
                    },
                  },
                },
              },
            },
          },
          responses: {
            '202': {
              description: 'Stored and queued (or already scanned: same bytes, same id)',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Submitted' } },
              },
            },
            '400': errorResponse('Malformed body, or a URL into a private address range'),
            '401': errorResponse('Missing or unknown API key'),
            '413': errorResponse('The artifact exceeds the size limit'),
            '415': errorResponse('Neither multipart/form-data nor application/json'),
            '422': errorResponse(
              'hf:// not enabled on this service (NOT_SUPPORTED), or the Hub has no such repository, revision or file, or refuses access (HUB_REPO_NOT_FOUND, HUB_REVISION_NOT_FOUND, HUB_ENTRY_NOT_FOUND, HUB_GATED, HUB_UNAUTHORIZED, HUB_FORBIDDEN)',
            ),
            '502': errorResponse(
              'The URL could not be fetched, or the Hub served bytes that differ from its tree entry (HUB_MISMATCH)',
            ),
          },
        },
      },
      '/v1/scans/{id}': {
        get: {
          summary: 'Status of a scan and, when done, the JSON report',
          parameters: [id],
          responses: {
            '200': {
              description: 'The scan',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Scan' } } },
            },
            '400': errorResponse('Not an artifact id'),
            '404': errorResponse('Never submitted'),
          },
        },
      },
      '/v1/scans/{id}/sarif': {
        get: {
          summary: 'The SARIF 2.1.0 log of a finished scan',
          parameters: [id],
          responses: {
            '200': { description: 'SARIF', content: { 'application/sarif+json': {} } },
            '400': errorResponse('Not an artifact id'),
            '404': errorResponse('Never submitted'),
            '409': errorResponse('Not finished yet'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Health of the queue and of the configured result store',
          description:
            'Checks that the queue (Redis with --redis) and the result store (in process, Redis, or Postgres with --postgres) answer, each within 1 s; a finished check is reused for about 1 s. The store error is a short code (ECONNREFUSED, TIMEOUT, NOT_CONNECTED, a Postgres SQLSTATE ...), never an address.',
          responses: {
            '200': {
              description: 'The queue and the result store answer',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
            },
            '503': {
              description: 'The queue or the result store cannot be reached; `reason` says which',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
            },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Text format' } },
        },
      },
    },
  };
}
