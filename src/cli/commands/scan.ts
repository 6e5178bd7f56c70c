import type { Command } from '../io.js';
import { EXIT } from '../io.js';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Scan model artifacts and CI workflows (default-deny)',
  run(_argv, io) {
    io.stderr.write('scan: not implemented yet\n');
    return Promise.resolve(EXIT.INTERNAL);
  },
};
