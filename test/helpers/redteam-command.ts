import { readFileSync } from 'node:fs';
import { respond } from './redteam-target.js';

// The test target as a local program for `--target-command`: one OpenAI chat request on stdin,
// the chat.completion reply on stdout. Its weaknesses come as arguments:
//   node build/test/helpers/redteam-command.js leaksOnRepeat decodes=base64 manyShotAt=16
const weaknesses: Record<string, unknown> = {};
for (const arg of process.argv.slice(2)) {
  const [name = '', value] = arg.split('=', 2);
  if (value === undefined) weaknesses[name] = true;
  else if (name === 'decodes') weaknesses[name] = value.split(',');
  else weaknesses[name] = Number(value);
}
const body = JSON.parse(readFileSync(0, 'utf8')) as {
  messages: { role: string; content: string }[];
};
const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
process.stdout.write(
  JSON.stringify({
    id: 'chatcmpl-local',
    object: 'chat.completion',
    created: 0,
    model: 'toy-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: respond(system, user, weaknesses) },
        finish_reason: 'stop',
      },
    ],
  }),
);
