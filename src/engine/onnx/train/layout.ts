// Canonical (tfjs) parameter layout <-> the training graph's: conv weights HWIO <-> OIHW; the rest as is.
export function hwioToOihw(src: Float32Array, [h, w, i, o]: number[], out = new Float32Array(src.length)): Float32Array {
  for (let hh = 0; hh < h; hh++)
    for (let ww = 0; ww < w; ww++)
      for (let ii = 0; ii < i; ii++) {
        const from = ((hh * w + ww) * i + ii) * o;
        for (let oo = 0; oo < o; oo++) out[((oo * i + ii) * h + hh) * w + ww] = src[from + oo];
      }
  return out;
}

export function oihwToHwio(src: Float32Array, [o, i, h, w]: number[], out = new Float32Array(src.length)): Float32Array {
  for (let hh = 0; hh < h; hh++)
    for (let ww = 0; ww < w; ww++)
      for (let ii = 0; ii < i; ii++) {
        const to = ((hh * w + ww) * i + ii) * o;
        for (let oo = 0; oo < o; oo++) out[to + oo] = src[((oo * i + ii) * h + hh) * w + ww];
      }
  return out;
}

/** Graph layout of a canonical tensor (a copy for conv weights, the same array otherwise). */
export function toGraphLayout(data: Float32Array, canonical: number[], convWeight: boolean): Float32Array {
  return convWeight ? hwioToOihw(data, canonical) : data;
}

export function toCanonicalLayout(data: Float32Array, graphDims: number[], convWeight: boolean): Float32Array {
  return convWeight ? oihwToHwio(data, graphDims) : data;
}
