// The project view's layout maths: PCA by subspace iteration (against known directions and a
// direct eigen-decomposition), UMAP through umap-js (clusters stay apart, a seed repeats), and
// the scaling into the view's [-1, 1] world.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnMeans, pca, symmetricEigen } from '../../../../src/engine/project/pca';
import { normaliseLayout, pcaLayout, umapLayout, UMAP_MIN_POINTS } from '../../../../src/engine/project/layout';
import { Rng } from '../../../../src/engine/train/rng';

/** n points in d dims: clusters at random centres (spread `spread`) plus unit noise. */
function clusters(n: number, d: number, count: number, spread: number, seed = 5): { x: Float32Array; label: number[] } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: count }, () => Float64Array.from({ length: d }, () => rng.normal() * spread));
  const x = new Float32Array(n * d);
  const label: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % count;
    label.push(c);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c][j] + rng.normal();
  }
  return { x, label };
}

test('symmetricEigen: values descending, A v = lambda v', () => {
  const k = 4;
  const m = Float64Array.from([4, 1, 0.5, 0, 1, 3, 0.2, 0.1, 0.5, 0.2, 2, 0.3, 0, 0.1, 0.3, 1]);
  const { values, vectors } = symmetricEigen(m, k);
  for (let i = 1; i < k; i++) assert.ok(values[i - 1] >= values[i]);
  for (let e = 0; e < k; e++)
    for (let r = 0; r < k; r++) {
      let av = 0;
      for (let c = 0; c < k; c++) av += m[r * k + c] * vectors[e * k + c];
      assert.ok(Math.abs(av - values[e] * vectors[e * k + r]) < 1e-9, `eigenpair ${e} row ${r}`);
    }
  assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 10) < 1e-9, 'trace kept');
});

test('pca finds a planted direction and its variance; the rest is noise', async () => {
  const n = 400, d = 64;
  const rng = new Rng(3);
  const dir = Float64Array.from({ length: d }, () => rng.normal());
  const norm = Math.hypot(...dir);
  for (let j = 0; j < d; j++) dir[j] /= norm;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const t = rng.normal() * 10; // variance 100 along dir
    for (let j = 0; j < d; j++) x[i * d + j] = 7 + t * dir[j] + rng.normal() * 0.5;
  }
  const r = await pca(x, n, d, 3);
  assert.equal(r.k, 3);
  // the first projection is the planted coordinate t (up to sign): correlation ~1
  const mean = columnMeans(x, n, d);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) t += (x[i * d + j] - mean[j]) * dir[j];
    const p = r.projections[i * 3];
    sxy += t * p; sxx += t * t; syy += p * p;
  }
  assert.ok(Math.abs(sxy / Math.sqrt(sxx * syy)) > 0.999, 'first component is the planted direction');
  assert.ok(r.variances[0] > 80 && r.variances[0] < 125, `variance along it ~100, got ${r.variances[0]}`);
  assert.ok(r.variances[1] < 0.6, `second is noise (0.25 per dimension; its top eigenvalue about 0.5), got ${r.variances[1]}`);
  // 100 of 100 + 64 x 0.25 in all
  assert.ok(Math.abs(r.variances[0] / r.totalVariance - 100 / 116) < 0.05);
});

test('pca agrees with the eigen-decomposition of the full covariance', async () => {
  const n = 120, d = 10;
  const { x } = clusters(n, d, 3, 4);
  const mean = columnMeans(x, n, d);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
  for (let i = 0; i < cov.length; i++) cov[i] /= n - 1;
  const exact = symmetricEigen(cov, d);
  const r = await pca(x, n, d, 4);
  for (let c = 0; c < 2; c++) assert.ok(Math.abs(r.variances[c] - exact.values[c]) < 1e-6 * exact.values[0], `component ${c}: ${r.variances[c]} vs ${exact.values[c]}`);
});

test('pca: fewer points than components, a single point, and a bad shape', async () => {
  const r = await pca(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3, 5);
  assert.equal(r.k, 1);
  const one = await pcaLayout(Float32Array.from([1, 2, 3]), 1, 3);
  assert.deepEqual([...one.coords], [0, 0]);
  await assert.rejects(pca(new Float32Array(5), 2, 3, 2), /expected 2x3/);
});

test('pcaLayout separates well-separated clusters and reports the explained variance', async () => {
  const n = 90, d = 50;
  const { x, label } = clusters(n, d, 3, 6);
  const layout = await pcaLayout(x, n, d);
  assert.equal(layout.coords.length, n * 2);
  assert.ok(layout.explained[0] > 0.3 && layout.explained[0] + layout.explained[1] <= 1 + 1e-9);
  assert.ok(nearestNeighbourAgreement(layout.coords, label) > 0.95);
});

/** Share of points whose nearest 2-D neighbour has the same label. */
function nearestNeighbourAgreement(coords: Float32Array, label: number[]): number {
  const n = label.length;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1, bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dd = (coords[i * 2] - coords[j * 2]) ** 2 + (coords[i * 2 + 1] - coords[j * 2 + 1]) ** 2;
      if (dd < bestD) { bestD = dd; best = j; }
    }
    if (label[best] === label[i]) same++;
  }
  return same / n;
}

test('umapLayout keeps clusters apart, repeats for a seed, reports epochs, and can be stopped', async () => {
  const n = 150, d = 40;
  const { x, label } = clusters(n, d, 5, 3);
  const seen: number[] = [];
  const a = await umapLayout(x, n, d, { seed: 11, epochs: 120, every: 40, onEpoch: (e) => void seen.push(e) });
  assert.equal(a.method, 'umap');
  assert.equal(a.epochs, 120);
  assert.deepEqual(seen, [40, 80, 120]);
  assert.ok(a.coords.every(Number.isFinite));
  assert.ok(nearestNeighbourAgreement(a.coords, label) > 0.95, 'clusters stay together');
  const b = await umapLayout(x, n, d, { seed: 11, epochs: 120 });
  assert.deepEqual([...b.coords], [...a.coords], 'same seed, same layout');
  await assert.rejects(
    umapLayout(x, n, d, { seed: 11, epochs: 120, every: 10, onEpoch: (e) => { if (e >= 20) throw new Error('stop'); } }),
    /stop/,
  );
});

test('umapLayout falls back to PCA under the minimum number of points', async () => {
  const n = UMAP_MIN_POINTS - 1;
  const { x } = clusters(n, 8, 2, 3);
  const r = await umapLayout(x, n, 8);
  assert.equal(r.method, 'pca');
  assert.equal(r.coords.length, n * 2);
});

test('normaliseLayout centres into [-1, 1] on the longer side and keeps the aspect ratio', () => {
  const out = normaliseLayout(Float32Array.from([10, 5, 30, 5, 20, 10, NaN, 1]));
  assert.deepEqual([...out], [-1, -0.25, 1, -0.25, 0, 0.25, 0, 0]);
  assert.deepEqual([...normaliseLayout(Float32Array.from([3, 3, 3, 3]))], [0, 0, 0, 0]);
  assert.equal(normaliseLayout(new Float32Array(0)).length, 0);
});
