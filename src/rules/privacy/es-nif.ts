import { defineEntityRule } from './entity-rule.js';

/** Spanish NIF or NIE in data: see docs/rules/privacy/es-nif.md. */
export default defineEntityRule({
  entity: 'es-nif',
  title: 'Spanish NIF or NIE in data',
  what: 'Spanish NIF/NIE',
  severity: 'medium',
  policy: 'LOPDGDD; CWE-359',
});
