// tsc copies no JSON: put the guard's model artifact beside the compiled guard modules (dist/ for
// the package, build/src/ for the tests) wherever they exist.
import { copyFileSync, existsSync } from 'node:fs';

for (const dir of ['dist/guard', 'build/src/guard']) {
  if (existsSync(dir)) copyFileSync('src/guard/linear-model.json', `${dir}/linear-model.json`);
}
