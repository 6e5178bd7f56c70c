import {
  binget,
  binput,
  frame,
  global,
  MARK,
  MEMOIZE,
  pk,
  POP,
  proto,
  REDUCE,
  sbu,
  STACK_GLOBAL,
  STOP,
  TUPLE1,
} from './assemble.js';

// Hand-assembled streams for opcode-level bypasses of reference §9.2 (inert names), shared by
// the CPython oracle test (the VM decodes them as CPython does) and the rule tests (the verdict).

/** O1: BINPUT and MEMOIZE keys diverge; the memoised `os` still reaches STACK_GLOBAL. */
export const O1_MEMO_CONFUSION = pk(
  proto(4),
  sbu('os'),
  binput(5),
  POP,
  sbu('x'),
  MEMOIZE,
  POP,
  binget(5),
  sbu('system'),
  STACK_GLOBAL,
  sbu('id'),
  TUPLE1,
  REDUCE,
  STOP,
);

/** O2: STACK_GLOBAL operands from protocol-0 STRING opcodes at offset 0. */
export const O2_STRING_OPERANDS = pk(
  "S'os'\nS'system'\n",
  STACK_GLOBAL,
  "S'ls'\n",
  TUPLE1,
  REDUCE,
  STOP,
);

/** O4: INST calls `exec` without REDUCE. */
export const O4_INST = pk(MARK, "S'cmd'\n", 'i__builtin__\nexec\n', STOP);

/** O8: a FRAME whose length does not match its contents. */
export const O8_FRAME_MISMATCH = pk(
  proto(4),
  frame(2),
  global('posix', 'system'),
  sbu('id'),
  TUPLE1,
  REDUCE,
  STOP,
);

/** O9: an undefined opcode (0x0f) after the payload. */
export const O9_UNDEFINED_OPCODE = pk(
  proto(2),
  global('posix', 'system'),
  sbu('id'),
  TUPLE1,
  REDUCE,
  0x0f,
);
