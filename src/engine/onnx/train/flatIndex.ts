// Layout changes of a weight tensor (reshape, transpose, a 180-degree turn of its k x k planes)
// composed in JS into one index map, applied in the graph as one GatherElements over the flat
// tensor: out[f] = w[map[f]]. ORT's Transpose of the 6-D blocked-filter permutations moves one
// element at a time (conv4's 3.5 MB: 4.7 ms, against 1.8 for the gather), and a dX filter took a
// flip and a transpose besides.
import type { TrainGraph } from './graphBuilder';

export class FlatIndex {
  private constructor(
    /** flat source position of each element, in this layout's order */
    readonly map: Int32Array,
    readonly dims: readonly number[],
  ) {}

  /** A tensor of `dims` as it is; `offset`: one that starts there in a larger flat tensor (a group's rows). */
  static of(dims: readonly number[], offset = 0): FlatIndex {
    const n = dims.reduce((a, b) => a * b, 1);
    const map = new Int32Array(n);
    for (let f = 0; f < n; f++) map[f] = offset + f;
    return new FlatIndex(map, dims);
  }

  reshape(dims: readonly number[]): FlatIndex {
    if (dims.reduce((a, b) => a * b, 1) !== this.map.length) throw new Error(`cannot reshape [${this.dims}] to [${dims}]`);
    return new FlatIndex(this.map, dims);
  }

  /** As ONNX Transpose: output axis d is input axis perm[d]. */
  transpose(perm: readonly number[]): FlatIndex {
    const r = this.dims.length;
    const inStrides = this.dims.map((_, d) => this.dims.slice(d + 1).reduce((a, b) => a * b, 1));
    const outDims = Int32Array.from(perm, (p) => this.dims[p]);
    const step = Int32Array.from(perm, (p) => inStrides[p]);
    const out = new Int32Array(this.map.length);
    const map = this.map;
    // the innermost output axis as a tight loop; an odometer over the others, the source following
    const innerN = outDims[r - 1];
    const innerStep = step[r - 1];
    const c = new Int32Array(r);
    let src = 0;
    for (let f = 0; f < out.length; ) {
      for (let j = 0, s = src; j < innerN; j++, s += innerStep) out[f++] = map[s];
      for (let d = r - 2; d >= 0; d--) {
        src += step[d];
        if (++c[d] < outDims[d]) break;
        src -= step[d] * outDims[d];
        c[d] = 0;
      }
    }
    return new FlatIndex(out, [...outDims]);
  }

  /** The last two axes (a k x k plane) turned 180 degrees. */
  flipLastTwo(): FlatIndex {
    const plane = this.dims[this.dims.length - 1] * this.dims[this.dims.length - 2];
    const out = new Int32Array(this.map.length);
    for (let base = 0; base < out.length; base += plane) for (let j = 0; j < plane; j++) out[base + j] = this.map[base + plane - 1 - j];
    return new FlatIndex(out, this.dims);
  }
}

/** `w` (any shape, read flat) in the layout `index` describes, with its dims. */
export function gatherFlat(g: TrainGraph, w: string, index: FlatIndex): string {
  const n = index.map.length;
  const flat = g.reshape(w, [-1]);
  return g.reshape(g.op('GatherElements', [flat, g.constI32(index.map, [n])], { axis: 0 }), [...index.dims]);
}
