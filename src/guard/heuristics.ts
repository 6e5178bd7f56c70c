import type { GuardFinding } from './types.js';

/** The families of wording the heuristic layer looks for. */
export type HeuristicFamily =
  | 'instruction-override'
  | 'role-play'
  | 'system-prompt-extraction'
  | 'exfiltration'
  | 'prompt-delimiter';

interface Pattern {
  readonly family: HeuristicFamily;
  readonly name: string;
  readonly re: RegExp;
  readonly weight: number;
}

// Gaps between key words are bounded ({0,40} characters of one line), so every pattern runs in
// linear time on hostile input and a trigger word far from its object does not match. The
// verb/adjective/object grammar follows Rebuff's and vigil's instruction-bypass lists (facts, not
// their code); the weights were set on the train split, never on the test split.
const G = String.raw`[^\n.!?]{0,40}?`;
const PATTERNS: readonly Pattern[] = [
  {
    family: 'instruction-override',
    name: 'ignore-previous',
    re: new RegExp(
      String.raw`\b(?:ignore|disregard|forget|overrid(?:e|ing)|bypass|neglect|abandon|discard|don'?t follow|do not follow|stop following)\b${G}\b(?:previous|prior|above|earlier|preceding|former|initial|original|all|any|your|system)\b${G}\b(?:instructions?|rules|prompts?|directions?|guidelines|directives?|commands|orders|constraints|restrictions|programming|polic(?:y|ies)|guardrails|safeguards)\b`,
      'i',
    ),
    weight: 0.8,
  },
  {
    family: 'instruction-override',
    name: 'new-instructions',
    re: /\b(?:new|updated|real|actual|true|secret|hidden|additional|important)\s+(?:instructions?|task|directive|orders?|system prompt)\s*(?::|are\b|is\b)/i,
    weight: 0.55,
  },
  {
    family: 'instruction-override',
    name: 'instead-do',
    re: new RegExp(
      String.raw`\b(?:instead|rather)\b${G}\b(?:you (?:must|should|will)|output|print|say|respond|reply|write)\b`,
      'i',
    ),
    weight: 0.35,
  },
  {
    family: 'role-play',
    name: 'you-are-now',
    re: /\b(?:you are now|you're now|you will now be|from now on,? you(?:'re| are| will)?|act as|acting as|pretend (?:to be|you are|that you)|roleplay as|role-play as|play the role of|simulate being|you are going to (?:act|pretend|be))\b/i,
    weight: 0.35,
  },
  {
    family: 'role-play',
    name: 'unrestricted-persona',
    re: /\b(?:do anything now|dan mode|developer mode (?:enabled|output)|jailbroken|stay in character|break character|not bound by|free from (?:the )?(?:typical )?(?:confines|restrictions|rules)|openai(?:'s)? (?:content )?polic(?:y|ies)|without (?:any )?(?:restrictions|limitations|filters|censorship|moral|ethical))\b/i,
    weight: 0.5,
  },
  {
    family: 'role-play',
    name: 'unrestricted-words',
    re: /\b(?:jailbreak|no (?:restrictions|limitations|filters|censorship|ethical)|unfiltered|uncensored|amoral)\b/i,
    weight: 0.25,
  },
  {
    family: 'system-prompt-extraction',
    name: 'reveal-prompt',
    re: new RegExp(
      String.raw`\b(?:reveal|print|show|repeat|output|display|leak|tell me|give me|what (?:is|are|was|were)|share|dump|recite|spell out|write out|copy)\b${G}\b(?:system prompt|system message|initial (?:prompt|instructions)|original (?:prompt|instructions)|your (?:instructions|prompt|rules|guidelines)|hidden (?:prompt|instructions)|pre-?prompt|the (?:text|words|instructions) above|everything above|secret (?:key|password|code)|access code|password)\b`,
      'i',
    ),
    weight: 0.6,
  },
  {
    family: 'exfiltration',
    name: 'send-data-to-url',
    re: new RegExp(
      String.raw`\b(?:send|post|upload|forward|email|e-mail|transmit|leak|exfiltrate|append|include|embed|encode)\b${G}\b(?:to|into|in|at|via)\b[^\n]{0,40}?(?:https?://|www\.|[\w.+-]{1,64}@[\w-]{1,63}\.\w|webhook|url|link|image)`,
      'i',
    ),
    weight: 0.45,
  },
  {
    family: 'exfiltration',
    name: 'markdown-image-url',
    re: /!\[[^\]\n]{0,200}\]\(\s*<?https?:\/\/[^\s)>]{1,500}[?#][^\s)>]{0,500}/i,
    weight: 0.5,
  },
  {
    family: 'exfiltration',
    name: 'visit-url',
    re: /\b(?:visit|go to|open|click|navigate to|fetch|browse to|access)[ \t]{1,4}(?:this[ \t]{1,4}|the following[ \t]{1,4})?(?:(?:link|url|website|page|site):?[ \t]{0,4})?<?https?:\/\//i,
    weight: 0.3,
  },
  {
    family: 'prompt-delimiter',
    name: 'chat-template-token',
    re: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|sys)>/i,
    weight: 0.6,
  },
  {
    family: 'prompt-delimiter',
    name: 'fake-role-header',
    re: /(?:^|\n)[ \t]{0,8}(?:#{1,6}\s*)?(?:\*\*)?(?:system|assistant|admin|developer|sys)(?:\*\*)?\s*(?::|\])(?!\/)/i,
    weight: 0.35,
  },
  {
    family: 'prompt-delimiter',
    name: 'end-of-context',
    re: /\b(?:end of (?:the )?(?:document|email|context|input|text|prompt)|(?:---|===)\s*(?:end|stop)\b)/i,
    weight: 0.2,
  },
];

/** A heuristic hit on a text whose offsets the caller maps back to the input. */
export interface HeuristicHit {
  readonly family: HeuristicFamily;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly weight: number;
  readonly match: string;
}

/**
 * Runs every pattern once over `text` (first match each) and returns the hits. Linear time: each
 * pattern's gaps are bounded, and no pattern nests quantifiers.
 */
export function heuristicHits(text: string): HeuristicHit[] {
  const hits: HeuristicHit[] = [];
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (m === null) continue;
    hits.push({
      family: p.family,
      name: p.name,
      start: m.index,
      end: m.index + m[0].length,
      weight: p.weight,
      match: m[0].slice(0, 120),
    });
  }
  return hits;
}

/**
 * Combines hit weights into one score: noisy-or over families (each family counted at its
 * strongest hit), so several independent kinds of evidence add up and one alone stays below 1.
 */
export function heuristicScore(hits: readonly { family: string; weight: number }[]): number {
  const best = new Map<string, number>();
  for (const h of hits) best.set(h.family, Math.max(best.get(h.family) ?? 0, h.weight));
  let keep = 1;
  for (const w of best.values()) keep *= 1 - w;
  return 1 - keep;
}

/** Heuristic hits as guard findings, with offsets mapped by `at` (text offset → input offset). */
export function heuristicFindings(
  hits: readonly HeuristicHit[],
  at: (offset: number) => number,
  via?: string,
): GuardFinding[] {
  return hits.map((h) => ({
    stage: 'heuristic' as const,
    code: `heuristic/${h.family}`,
    message: `${h.family.replace(/-/g, ' ')} wording (${h.name})${via === undefined ? '' : ` in ${via}`}`,
    start: at(h.start),
    end: at(h.end),
    weight: h.weight,
    detail: h.match,
  }));
}
