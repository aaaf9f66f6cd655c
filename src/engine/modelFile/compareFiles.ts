// Compare with...: per-layer differences between two weights files (before and after fine-tuning,
// two exports of one model). Both AlexNets: compared in the canonical layout, whatever each file's
// keys and layout; otherwise tensor by tensor under the files' own names.
import { basename } from 'node:path';
import type { HostTensor } from '../weights/hostTensor';
import type { LayerDifference, ModelFileComparison } from '../../protocol/engine/modelFiles';
import { bindAlexNet, readModelFile, type InspectHooks } from './inspectFile';

export function difference(name: string, a: HostTensor, b: HostTensor): LayerDifference {
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!same) return { name, shapeA: a.shape, shapeB: b.shape };
  let abs = 0;
  let maxAbs = 0;
  let diff2 = 0;
  let a2 = 0;
  let b2 = 0;
  let ab = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i];
    const y = b.data[i];
    const d = y - x;
    abs += Math.abs(d);
    if (Math.abs(d) > maxAbs) maxAbs = Math.abs(d);
    diff2 += d * d;
    a2 += x * x;
    b2 += y * y;
    ab += x * y;
  }
  const n = a.data.length || 1;
  return {
    name, shapeA: a.shape, shapeB: b.shape, meanAbsDiff: abs / n, maxAbsDiff: maxAbs,
    relativeChange: a2 ? Math.sqrt(diff2 / a2) : diff2 ? Infinity : 0,
    cosine: a2 && b2 ? ab / Math.sqrt(a2 * b2) : a2 === b2 ? 1 : 0,
  };
}

export async function compareModelFiles(a: string, b: string, hooks: InspectHooks = {}): Promise<ModelFileComparison> {
  hooks.progress?.(0, 3, `Reading ${basename(a)}`);
  const fa = await readModelFile(a);
  hooks.progress?.(1, 3, `Reading ${basename(b)}`);
  const fb = await readModelFile(b);
  hooks.progress?.(2, 3, 'Comparing');
  let ta: Record<string, HostTensor>;
  let tb: Record<string, HostTensor>;
  let basis: ModelFileComparison['basis'] = 'canonical';
  try {
    ta = bindAlexNet(fa.raw, a).params;
    tb = bindAlexNet(fb.raw, b).params;
  } catch {
    basis = 'names';
    ta = Object.fromEntries(fa.raw.tensors.map((t) => [t.name, t]));
    tb = Object.fromEntries(fb.raw.tensors.map((t) => [t.name, t]));
  }
  const layers: LayerDifference[] = [];
  for (const name of Object.keys(ta)) {
    if (!tb[name]) continue;
    layers.push(difference(name, ta[name], tb[name]));
    await new Promise<void>((r) => setImmediate(r));
  }
  hooks.progress?.(3, 3, 'Done');
  return { a, b, basis, layers, onlyInA: Object.keys(ta).filter((k) => !tb[k]), onlyInB: Object.keys(tb).filter((k) => !ta[k]) };
}
