// The layout changes between PyTorch/Caffe tensors and the canonical (tfjs) layout of spec.ts.
// Each is an exact permutation (or, for groups, an exact zero fill): no arithmetic on values.
import { formatShape, HostTensor } from './hostTensor';

/** PyTorch conv weight [out, in, kh, kw] -> [kh, kw, in, out]. */
export function oihwToHwio(t: HostTensor): HostTensor {
  if (t.shape.length !== 4) throw new Error(`conv weight must be 4-D, got ${formatShape(t.shape)}`);
  const [o, i, h, w] = t.shape;
  const out = new Float32Array(t.data.length);
  const src = t.data;
  for (let oo = 0; oo < o; oo++)
    for (let ii = 0; ii < i; ii++)
      for (let hh = 0; hh < h; hh++)
        for (let ww = 0; ww < w; ww++) out[((hh * w + ww) * i + ii) * o + oo] = src[((oo * i + ii) * h + hh) * w + ww];
  return { shape: [h, w, i, o], data: out };
}

/** Canonical conv weight [kh, kw, in, out] -> PyTorch's [out, in, kh, kw]. */
export function hwioToOihw(t: HostTensor): HostTensor {
  if (t.shape.length !== 4) throw new Error(`conv weight must be 4-D, got ${formatShape(t.shape)}`);
  const [h, w, i, o] = t.shape;
  const out = new Float32Array(t.data.length);
  const src = t.data;
  for (let hh = 0; hh < h; hh++)
    for (let ww = 0; ww < w; ww++)
      for (let ii = 0; ii < i; ii++)
        for (let oo = 0; oo < o; oo++) out[((oo * i + ii) * h + hh) * w + ww] = src[((hh * w + ww) * i + ii) * o + oo];
  return { shape: [o, i, h, w], data: out };
}

/** A 2-D transpose: PyTorch Linear [out, in] <-> canonical dense [in, out]. */
export function transpose2d(t: HostTensor): HostTensor {
  if (t.shape.length !== 2) throw new Error(`dense weight must be 2-D, got ${formatShape(t.shape)}`);
  const [r, c] = t.shape;
  const out = new Float32Array(t.data.length);
  const src = t.data;
  // Blocked so a 9216x4096 fc6 does not thrash the cache.
  const B = 64;
  for (let r0 = 0; r0 < r; r0 += B)
    for (let c0 = 0; c0 < c; c0 += B) {
      const r1 = Math.min(r, r0 + B);
      const c1 = Math.min(c, c0 + B);
      for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) out[j * r + i] = src[i * c + j];
    }
  return { shape: [c, r], data: out };
}

/**
 * Reorders the input rows of a dense weight [in, out] whose inputs came from a C,H,W flatten
 * (PyTorch's NCHW view) into the H,W,C flatten the tfjs model produces (NHWC reshape).
 */
export function chwRowsToHwc(t: HostTensor, channels: number, height: number, width: number): HostTensor {
  const [inUnits, units] = t.shape;
  if (t.shape.length !== 2 || inUnits !== channels * height * width)
    throw new Error(`cannot reorder ${formatShape(t.shape)} as ${channels}x${height}x${width} inputs`);
  const out = new Float32Array(t.data.length);
  for (let c = 0; c < channels; c++)
    for (let h = 0; h < height; h++)
      for (let w = 0; w < width; w++) {
        const from = ((c * height + h) * width + w) * units;
        const to = ((h * width + w) * channels + c) * units;
        out.set(t.data.subarray(from, from + units), to);
      }
  return { shape: [inUnits, units], data: out };
}

/** The inverse of chwRowsToHwc (for writing PyTorch-layout weights). */
export function hwcRowsToChw(t: HostTensor, channels: number, height: number, width: number): HostTensor {
  const [inUnits, units] = t.shape;
  if (t.shape.length !== 2 || inUnits !== channels * height * width)
    throw new Error(`cannot reorder ${formatShape(t.shape)} as ${height}x${width}x${channels} inputs`);
  const out = new Float32Array(t.data.length);
  for (let c = 0; c < channels; c++)
    for (let h = 0; h < height; h++)
      for (let w = 0; w < width; w++) {
        const to = ((c * height + h) * width + w) * units;
        const from = ((h * width + w) * channels + c) * units;
        out.set(t.data.subarray(from, from + units), to);
      }
  return { shape: [inUnits, units], data: out };
}

/**
 * A grouped conv weight [kh, kw, in/groups, out] as the equivalent full conv [kh, kw, in, out]:
 * filter f (group g = f / (out/groups)) keeps its weights on inputs [g*in/groups, (g+1)*in/groups)
 * and has exact zeros on every other input.
 */
export function expandGroupedConv(t: HostTensor, groups: number): HostTensor {
  if (t.shape.length !== 4) throw new Error(`conv weight must be 4-D, got ${formatShape(t.shape)}`);
  const [h, w, ig, o] = t.shape;
  if (o % groups) throw new Error(`${o} filters do not split into ${groups} groups`);
  const og = o / groups;
  const inAll = ig * groups;
  const out = new Float32Array(h * w * inAll * o);
  for (let hw = 0; hw < h * w; hw++)
    for (let i = 0; i < ig; i++)
      for (let g = 0; g < groups; g++) {
        const from = (hw * ig + i) * o + g * og;
        const to = (hw * inAll + g * ig + i) * o + g * og;
        out.set(t.data.subarray(from, from + og), to);
      }
  return { shape: [h, w, inAll, o], data: out };
}
