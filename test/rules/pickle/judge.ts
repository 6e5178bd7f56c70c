import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { worseVerdict, type Finding, type Verdict } from '../../../src/core/finding.js';
import type {
  PickleInputFlavour,
  PickleScanInput,
} from '../../../src/formats/pickle/scan-input.js';
import { decodePickle } from '../../../src/formats/pickle/vm.js';
import { type Rule } from '../../../src/rules/define-rule.js';
import { runRules } from '../../helpers/run-rules.js';
import { pickleRules } from '../../../src/rules/pickle/index.js';

export interface Judged {
  readonly findings: Finding[];
  readonly verdict: Verdict;
  readonly input: PickleScanInput;
}

/** Decodes `bytes` and runs every pickle rule, as the engine's pickle handler does. */
export function judge(
  bytes: Uint8Array,
  options: {
    flavour?: PickleInputFlavour;
    storages?: ReadonlyMap<string, number>;
    allowGlobals?: readonly string[];
  } = {},
): Judged {
  const decoded = decodePickle(bytes, { limits: DEFAULT_LIMITS });
  const input: PickleScanInput = {
    decoded,
    flavour: options.flavour ?? 'raw',
    ...(options.storages === undefined ? {} : { storages: options.storages }),
    allowGlobals: options.allowGlobals ?? [],
  };
  const findings = runRules(
    pickleRules as unknown as readonly Rule<PickleScanInput>[],
    input,
    { uri: 't.pkl', unit: 'byte', options: {} },
    (id, error) => {
      throw new Error(`rule ${id} threw`, { cause: error });
    },
  );
  let verdict: Verdict = decoded.error === undefined ? 'safe' : 'invalid';
  for (const f of findings) if (f.verdict !== undefined) verdict = worseVerdict(verdict, f.verdict);
  return { findings, verdict, input };
}

/** Rule ids of the findings, sorted and unique. */
export const ruleIds = (j: Judged): string[] =>
  [...new Set(j.findings.map((f) => f.ruleId))].sort();
