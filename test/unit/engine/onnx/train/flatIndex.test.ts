// The index maps that turn a filter into its blocked (and flipped, transposed) layout by one gather:
// each against a direct element-by-element reference, and through ORT against Transpose/Slice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlatIndex, gatherFlat } from '../../../../../src/engine/onnx/train/flatIndex';
import { CPU_GRAPH_OPTIONS, TrainGraph } from '../../../../../src/engine/onnx/train/graphBuilder';
import { createTrainingSession, ortTensor } from '../../../../../src/engine/onnx/train/session';

/** Multi-index of flat position f in dims. */
function unflat(f: number, dims: number[]): number[] {
  const c = new Array<number>(dims.length);
  for (let d = dims.length - 1; d >= 0; d--) {
    c[d] = f % dims[d];
    f = Math.floor(f / dims[d]);
  }
  return c;
}
function flat(c: number[], dims: number[]): number {
  return c.reduce((a, v, d) => a * dims[d] + v, 0);
}

test('transpose: output element c is input element c permuted back, for any permutation', () => {
  const dims = [2, 3, 4, 2, 3];
  for (const perm of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 0, 3, 4, 2], [0, 2, 4, 3, 1]]) {
    const t = FlatIndex.of(dims).transpose(perm);
    assert.deepEqual(t.dims, perm.map((p) => dims[p]));
    for (let f = 0; f < t.map.length; f++) {
      const out = unflat(f, [...t.dims]);
      const src = new Array<number>(dims.length);
      perm.forEach((p, d) => (src[p] = out[d]));
      assert.equal(t.map[f], flat(src, dims), `perm ${perm} at ${f}`);
    }
  }
});

test('composition, the flip, an offset and a bad reshape', () => {
  const dims = [3, 2, 3, 3];
  const t = FlatIndex.of(dims, 100).transpose([1, 0, 2, 3]).flipLastTwo();
  for (let f = 0; f < t.map.length; f++) {
    const [i, o, a, b] = unflat(f, [...t.dims]);
    assert.equal(t.map[f], 100 + flat([o, i, 2 - a, 2 - b], dims));
  }
  // transposing back undoes it
  const back = FlatIndex.of(dims).transpose([2, 0, 3, 1]).transpose([1, 3, 0, 2]);
  assert.deepEqual([...back.map], [...FlatIndex.of(dims).map]);
  assert.throws(() => FlatIndex.of(dims).reshape([5, 5]), /cannot reshape/);
});

test('gatherFlat in ORT equals the Transpose it replaces (a blocked filter order)', async () => {
  const [o, i, k, B] = [32, 48, 3, 16];
  const dims6 = [o / B, B, i / B, B, k, k];
  const perm = [0, 2, 4, 5, 3, 1];
  const g = new TrainGraph('flat-index', CPU_GRAPH_OPTIONS);
  const w = g.input('w', [o, i, k, k]);
  g.output('transposed', g.reshape(g.transpose(g.reshape(w, dims6), perm), [o, i, k, k]), [o, i, k, k]);
  g.output('gathered', gatherFlat(g, w, FlatIndex.of([o, i, k, k]).reshape(dims6).transpose(perm).reshape([o, i, k, k])), [o, i, k, k]);
  const session = await createTrainingSession(g.encode(), 'cpu');
  const n = o * i * k * k;
  const res = await session.run({ w: ortTensor(Float32Array.from({ length: n }, (_, j) => Math.sin(j)), [o, i, k, k]) }, ['transposed', 'gathered']);
  await session.release();
  assert.deepEqual(res.gathered.dims, [o, i, k, k]);
  assert.deepEqual(Array.from(res.gathered.data as Float32Array), Array.from(res.transposed.data as Float32Array));
});
