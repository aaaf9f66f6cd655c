// Replaces the placeholders an unpickled structure holds (pending tensors, pickled arrays) by
// their values. A pickle's memo lets one list appear many times (`[a, a]` nested 40 times is
// 2^40 leaves in a few hundred bytes), so each container is resolved once and shared, making the
// work linear in the file; a container inside itself and absurd nesting get a message, not a crash.
import { PickleFormatError, PyDict } from './pickle';

/** Deeper than any weights file nests (a state_dict is 3 levels, bvlc_alexnet.npy 4). */
export const MAX_NESTING = 32;

export class PickleStructureError extends PickleFormatError {}

/**
 * Copies the lists and dicts of `root`, with `leaf(x)` standing in for every value it claims
 * (`undefined` from it means "not a leaf"). Shared containers stay shared; each leaf is asked once.
 */
export function resolvePickled(root: unknown, leaf: (x: object) => unknown): unknown {
  const done = new Map<object, unknown>();
  const active = new Set<object>();
  const walk = (x: unknown, depth: number): unknown => {
    if (typeof x !== 'object' || x === null) return x;
    const known = done.get(x);
    if (known !== undefined || done.has(x)) return known;
    const asLeaf = leaf(x);
    if (asLeaf !== undefined) {
      done.set(x, asLeaf);
      return asLeaf;
    }
    if (!(x instanceof PyDict) && !Array.isArray(x)) return x;
    if (active.has(x)) throw new PickleStructureError('the pickle holds a list or dict that contains itself (a cycle), which a weights file never has');
    if (depth >= MAX_NESTING) throw new PickleStructureError(`the pickle nests lists or dicts more than ${MAX_NESTING} levels deep, which a weights file never does`);
    active.add(x);
    let out: unknown;
    if (x instanceof PyDict) {
      const d = new PyDict();
      for (const [k, v] of x) d.set(k, walk(v, depth + 1));
      out = d;
    } else {
      const a = new Array<unknown>(x.length);
      for (let i = 0; i < x.length; i++) a[i] = walk(x[i], depth + 1);
      out = a;
    }
    active.delete(x);
    done.set(x, out);
    return out;
  };
  return walk(root, 0);
}
