// Principal components of a feature matrix (n images x d features, row-major), for the project
// view: the first two give the layout shown at once, the first few dozen feed UMAP (its
// neighbour search on 4096-d fc7 vectors would be far slower and no better).
//
// Subspace iteration on the covariance without forming it (d x d would be 64 MB for fc7):
// each round computes Xc^T (Xc Q) in two passes over the rows, then a Rayleigh-Ritz step on the
// small k x k matrix orders and separates the components. Centred on the fly, so X is not copied.
import { Rng } from '../train/rng';

export interface PcaResult {
  /** n x k projections (row-major) onto the components, largest variance first */
  projections: Float32Array;
  /** the components actually computed (min of the request, n - 1 and d; at least 1) */
  k: number;
  /** variance along each component */
  variances: Float64Array;
  /** total variance of the data (the sum over all d dimensions) */
  totalVariance: number;
}

export interface PcaOptions {
  /** subspace iterations (each two passes over X); 6 separates fc7's leading components well */
  iterations?: number;
  seed?: number;
  /** called between iterations; may throw to stop */
  onIteration?: (done: number, total: number) => void | Promise<void>;
}

/** Column means of X. */
export function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j] += x[row + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, n);
  return mean;
}

/** Orthonormalises the k rows (length d) of q in place (modified Gram-Schmidt); a dependent row is replaced by noise and redone. */
function orthonormalise(q: Float64Array, k: number, d: number, rng: Rng): void {
  for (let a = 0; a < k; a++) {
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += q[a * d + j] * q[b * d + j];
        for (let j = 0; j < d; j++) q[a * d + j] -= dot * q[b * d + j];
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += q[a * d + j] ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-10) {
        for (let j = 0; j < d; j++) q[a * d + j] /= norm;
        break;
      }
      for (let j = 0; j < d; j++) q[a * d + j] = rng.next() - 0.5;
    }
  }
}

/** Y = Xc Q^T: n x k projections of the centred rows onto the k rows of q. */
function project(x: Float32Array, n: number, d: number, mean: Float64Array, q: Float64Array, k: number): Float64Array {
  // Xc q_a = X q_a - mean . q_a
  const offset = new Float64Array(k);
  for (let a = 0; a < k; a++) for (let j = 0; j < d; j++) offset[a] += mean[j] * q[a * d + j];
  const y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < k; a++) {
      const qa = a * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x[row + j] * q[qa + j];
      y[i * k + a] = dot - offset[a];
    }
  }
  return y;
}

/** Symmetric eigen-decomposition (cyclic Jacobi) of a small k x k matrix: values descending, vectors as rows. */
export function symmetricEigen(m: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++)
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p];
          const arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r];
          const aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p];
          const vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => a[y * k + y] - a[x * k + x]);
  const values = Float64Array.from(order, (i) => a[i * k + i]);
  const vectors = new Float64Array(k * k);
  order.forEach((col, row) => {
    for (let r = 0; r < k; r++) vectors[row * k + r] = v[r * k + col];
  });
  return { values, vectors };
}

/** The leading `components` principal components of the rows of X (n x d). */
export async function pca(x: Float32Array, n: number, d: number, components: number, opts: PcaOptions = {}): Promise<PcaResult> {
  if (x.length !== n * d) throw new RangeError(`pca: expected ${n}x${d} = ${n * d} values, got ${x.length}`);
  const k = Math.max(1, Math.min(components, d, Math.max(1, n - 1)));
  const iterations = opts.iterations ?? 6;
  const rng = new Rng(opts.seed ?? 1);
  const mean = columnMeans(x, n, d);
  let totalVariance = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) totalVariance += (x[i * d + j] - mean[j]) ** 2;
  totalVariance /= Math.max(1, n - 1);

  // A few extra directions speed up convergence of the last wanted ones.
  const kk = Math.min(d, k + Math.min(8, k));
  let q = new Float64Array(kk * d);
  for (let i = 0; i < q.length; i++) q[i] = rng.next() - 0.5;
  orthonormalise(q, kk, d, rng);
  for (let it = 0; it < iterations; it++) {
    const y = project(x, n, d, mean, q, kk);
    // Z = Xc^T Y (kk rows of length d): sum over rows of y_ia * (x_i - mean)
    const z = new Float64Array(kk * d);
    const ysum = new Float64Array(kk);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let a = 0; a < kk; a++) {
        const w = y[i * kk + a];
        if (w === 0) continue;
        ysum[a] += w;
        const za = a * d;
        for (let j = 0; j < d; j++) z[za + j] += w * x[row + j];
      }
    }
    for (let a = 0; a < kk; a++) for (let j = 0; j < d; j++) z[a * d + j] -= ysum[a] * mean[j];
    orthonormalise(z, kk, d, rng);
    q = z;
    await opts.onIteration?.(it + 1, iterations);
  }
  // Rayleigh-Ritz: the covariance restricted to span(q), diagonalised.
  const y = project(x, n, d, mean, q, kk);
  const small = new Float64Array(kk * kk);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < kk; a++) for (let b = a; b < kk; b++) small[a * kk + b] += y[i * kk + a] * y[i * kk + b];
  for (let a = 0; a < kk; a++) for (let b = 0; b < a; b++) small[a * kk + b] = small[b * kk + a];
  for (let i = 0; i < small.length; i++) small[i] /= Math.max(1, n - 1);
  const { values, vectors } = symmetricEigen(small, kk);
  const projections = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let a = 0; a < kk; a++) s += y[i * kk + a] * vectors[c * kk + a];
      projections[i * k + c] = s;
    }
  // A sign convention, so reruns and cached layouts agree: the largest |projection| is positive.
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let i = 0; i < n; i++) if (Math.abs(projections[i * k + c]) > Math.abs(best)) best = projections[i * k + c];
    if (best < 0) for (let i = 0; i < n; i++) projections[i * k + c] = -projections[i * k + c];
  }
  return { projections, k, variances: values.slice(0, k).map((v) => Math.max(0, v)), totalVariance };
}

/** Columns `count` of an n x k row-major matrix, as an n x count one. */
export function leadingColumns(m: Float32Array, n: number, k: number, count: number): Float32Array {
  const c = Math.min(count, k);
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) out[i * c + j] = m[i * k + j];
  return out;
}
