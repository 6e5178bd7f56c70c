/**
 * TODO(#3): the pickle VM keeps SETITEM(S) items only on `dict` values, not on an
 * `OrderedDict()` call, so the loader refuses (never silently empties) every checkpoint with an
 * OrderedDict holding items: every state_dict(). The tests of those files are marked todo with
 * this reason until the VM records the items (e.g. as `entries` on the call, which the loader
 * already reads); remove this file then.
 */
export const ORDERED_DICT_GAP =
  'pickle VM drops SETITEMS items on OrderedDict() calls; the loader refuses these files until it keeps them';

/** Fixtures (by file name) whose pickle holds a non-empty OrderedDict. */
const NEEDS_ORDERED_DICT = new Set([
  'checkpoint_nested.pt',
  'checkpoint_with_lr.pt',
  'conv_state_dict.pt',
  'legacy_nested.pt',
  'legacy_state_dict.pt',
  'legacy_views_shared.pt',
  'linear_state_dict.pt',
  'norm_embedding_state_dict.pt',
  'ordered_dict.pt',
  'protocol4.pt',
  'training_checkpoint.pt',
  'views_shared.pt',
]);

/** Test options marking `name` todo while the gap lasts. */
export function orderedDictTodo(name: string): { todo?: string } {
  return /^(shared|state_dict|nested)\./.test(name) || NEEDS_ORDERED_DICT.has(name)
    ? { todo: ORDERED_DICT_GAP }
    : {};
}
