/**
 * The second oracle: torch 2.13 (CPU) with Keras 3, transformers and safetensors, in a venv that
 * `scripts/run-tests.mjs` builds once per machine (scripts/torch-venv.mjs) and names in
 * TORCHWARD_TORCH2_PYTHON. Debian's /usr/bin/python3 (torch 1.13) stays the first oracle.
 */
export function torch2Python(): string {
  const python = process.env.TORCHWARD_TORCH2_PYTHON;
  if (python === undefined || python === '') {
    throw new Error('TORCHWARD_TORCH2_PYTHON is not set: run the tests with `npm test`');
  }
  return python;
}

/** Environment for running the torch 2.13 venv's python (Keras needs its backend named). */
export function torch2Env(): NodeJS.ProcessEnv {
  return { ...process.env, KERAS_BACKEND: 'torch', PYTHONDONTWRITEBYTECODE: '1' };
}
