// tsc copies no JSON: put the guard's model artifact beside the compiled guard modules (dist/ for
// the package, build/src/ for the tests) wherever they exist. The privacy scanner's rule data
// (gitleaks' rule file and its licence) goes beside the compiled privacy modules the same way.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

for (const dir of ['dist/guard', 'build/src/guard']) {
  if (!existsSync(dir)) continue;
  for (const name of ['linear-model.json', 'suffix-model.json'])
    copyFileSync(`src/guard/${name}`, `${dir}/${name}`);
}
for (const dir of ['dist/privacy', 'build/src/privacy']) {
  if (!existsSync(dir)) continue;
  mkdirSync(`${dir}/data`, { recursive: true });
  for (const name of ['gitleaks.toml', 'gitleaks-LICENSE.txt'])
    copyFileSync(`src/privacy/data/${name}`, `${dir}/data/${name}`);
}
