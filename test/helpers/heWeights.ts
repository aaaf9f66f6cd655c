// Host weights for training tests, without a tfjs backend: He-initialised weights (so the features
// still carry what the images show) and biases drawn with `biasStd` (0: zero biases), from the run's RNG.
import { paramShapes, type ModelSpec } from '../../src/engine/model/spec';
import { Rng } from '../../src/engine/train/rng';
import type { HostTensor } from '../../src/engine/weights/hostTensor';

export function heWeights(spec: ModelSpec, seed: number, biasStd = 0): Record<string, HostTensor> {
  const rng = new Rng(seed);
  const out: Record<string, HostTensor> = {};
  for (const p of paramShapes(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    // canonical layouts: conv HWIO, dense [in, out]
    const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
    const data = new Float32Array(n);
    if (p.name.endsWith('.weight')) for (let i = 0; i < n; i++) data[i] = rng.normal(Math.sqrt(2 / fanIn));
    else if (biasStd) for (let i = 0; i < n; i++) data[i] = rng.normal(biasStd);
    out[p.name] = { shape: p.shape, data };
  }
  return out;
}
