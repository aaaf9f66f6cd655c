// 2-D layouts of a folder's features: PCA at once (pca.ts), then UMAP on the leading principal
// components. UMAP comes from umap-js (PAIR-code, Google's People+AI Research: the
// implementation behind the TensorFlow Embedding Projector's UMAP; pure TypeScript, one small
// dependency, seedable, and it runs step by step so the engine can report progress, send
// intermediate layouts and stop on Cancel). t-SNE is O(n^2) per step without Barnes-Hut, which
// no maintained npm package offers; UMAP keeps 5,000 points to seconds.
import { UMAP } from 'umap-js';
import { Rng } from '../train/rng';
import { leadingColumns, pca } from './pca';

/** Principal components UMAP starts from (fc7 has 4096 dimensions; 32 keep the neighbourhoods). */
export const UMAP_INPUT_COMPONENTS = 32;
/** Below this many images UMAP has no neighbourhoods to speak of: the PCA layout stays. */
export const UMAP_MIN_POINTS = 5;

export interface Layout2d {
  /** x0, y0, x1, y1, ... in the data's own units */
  coords: Float32Array;
  method: 'pca' | 'umap';
}

/** The first two principal components, with the share of the variance they explain. */
export async function pcaLayout(features: Float32Array, n: number, d: number, seed = 1): Promise<Layout2d & { explained: [number, number] }> {
  if (n === 0) return { coords: new Float32Array(0), method: 'pca', explained: [0, 0] };
  const r = await pca(features, n, d, 2, { seed });
  const coords = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    coords[i * 2] = r.projections[i * r.k];
    coords[i * 2 + 1] = r.k > 1 ? r.projections[i * r.k + 1] : 0;
  }
  const share = (v: number | undefined) => (r.totalVariance > 0 && v !== undefined ? v / r.totalVariance : 0);
  return { coords, method: 'pca', explained: [share(r.variances[0]), share(r.variances[1])] };
}

export interface UmapOptions {
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
  /** optimisation epochs (umap-js's default follows n: 500 under 10,000 points) */
  epochs?: number;
  /** called every `every` epochs with the layout so far; may throw (cancel) */
  onEpoch?: (epoch: number, epochs: number, coords: Float32Array) => void | Promise<void>;
  every?: number;
  /** between the PCA rounds and while the neighbour graph is built */
  onStage?: (message: string) => void | Promise<void>;
}

function toRows(m: Float32Array, n: number, k: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * k, (i + 1) * k)));
}

function flatten(rows: number[][]): Float32Array {
  const out = new Float32Array(rows.length * 2);
  rows.forEach((r, i) => {
    out[i * 2] = r[0];
    out[i * 2 + 1] = r[1];
  });
  return out;
}

/** UMAP of the features (through their leading principal components). Deterministic for a seed. */
export async function umapLayout(features: Float32Array, n: number, d: number, opts: UmapOptions = {}): Promise<Layout2d & { epochs: number }> {
  if (n < UMAP_MIN_POINTS) return { ...(await pcaLayout(features, n, d, opts.seed)), epochs: 0 };
  await opts.onStage?.('principal components');
  const reduced = await pca(features, n, d, UMAP_INPUT_COMPONENTS, { seed: opts.seed ?? 1, iterations: 4, onIteration: () => opts.onStage?.('principal components') });
  const k = reduced.k;
  const rng = new Rng(opts.seed ?? 1);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(opts.nNeighbors ?? 15, n - 1)),
    minDist: opts.minDist ?? 0.1,
    ...(opts.epochs ? { nEpochs: opts.epochs } : {}),
    random: () => rng.next(),
  });
  await opts.onStage?.('neighbour graph');
  const epochs = umap.initializeFit(toRows(leadingColumns(reduced.projections, n, reduced.k, k), n, k));
  const every = opts.every ?? 25;
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if ((e + 1) % every === 0 && e + 1 < epochs) await opts.onEpoch?.(e + 1, epochs, flatten(umap.getEmbedding()));
  }
  const coords = flatten(umap.getEmbedding());
  await opts.onEpoch?.(epochs, epochs, coords);
  return { coords, method: 'umap', epochs };
}

/** Scales a layout into [-1, 1] on its longer side, centred (the view's world units). */
export function normaliseLayout(coords: Float32Array): Float32Array {
  const n = coords.length / 2;
  if (!n) return new Float32Array(0);
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = coords[i * 2], y = coords[i * 2 + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  if (minX > maxX) return new Float32Array(n * 2);
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const half = Math.max(maxX - minX, maxY - minY) / 2 || 1;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const x = coords[i * 2], y = coords[i * 2 + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue; // a point the optimiser lost sits at the centre
    out[i * 2] = (x - cx) / half;
    out[i * 2 + 1] = (y - cy) / half;
  }
  return out;
}
