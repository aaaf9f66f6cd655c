// Per-tensor statistics for the weights viewer: range, mean, standard deviation, share of zeros
// and a histogram, in two passes over the data; NaN/Inf are counted apart.
import { HISTOGRAM_BINS, type TensorStats } from '../../protocol/engine/modelFiles';

export function tensorStats(name: string, shape: number[], dtype: string, data: Float32Array, bins = HISTOGRAM_BINS): TensorStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let zeros = 0;
  let nonFinite = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSq += v * v;
    if (v === 0) zeros++;
  }
  const n = data.length - nonFinite;
  const mean = n ? sum / n : 0;
  const variance = n ? Math.max(0, sumSq / n - mean * mean) : 0;
  const histogram = new Array<number>(bins).fill(0);
  if (n) {
    const width = max - min;
    if (width === 0) histogram[0] = n;
    else {
      const scale = bins / width;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (!Number.isFinite(v)) continue;
        histogram[Math.min(bins - 1, Math.floor((v - min) * scale))]++;
      }
    }
  }
  return {
    name, shape, dtype, numel: data.length,
    min: n ? min : 0, max: n ? max : 0, mean, std: Math.sqrt(variance),
    zeros: data.length ? zeros / data.length : 0, histogram, nonFinite,
  };
}
