// Frozen mode's feature cache: the features of each (image, fixed crop) are computed the first time
// a batch needs them (all of a batch's misses in one extractor call) and kept, so later epochs only
// run the head. Entries are kept while they fit the memory budget; past it, the crops that did not
// fit are recomputed whenever they come up (said once through onOverBudget). A probe run also keeps
// its features on disk (probeFeatureDir), so a later run on the same images computes none of them.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '../model/spec';
import type { RunConfigFile, SkippedFile, TrainConfig } from '../../protocol/engine/train';
import { evictModels, imageIdentity } from '../project/featureStore';
import { cropNormalise, fixedCropParams, type FixedCrop } from './augment';
import type { LabelledImage } from './dataset';
import type { FeatureExtractor } from './featureExtractor';
import { isSkippedFile, type ImageSource } from './loader';
import { RNG, rngFor } from './rng';

/** Default budget: ~40k torchvision pool5 vectors (36 KB each), e.g. 10 crops of 4000 images. */
export const DEFAULT_FEATURE_CACHE_BYTES = 1.5 * 2 ** 30;

/** Which image set an index refers to (train and val indices overlap). */
export type FeatureSet = 'train' | 'val';

export interface FeatureKey {
  set: FeatureSet;
  index: number;
  variant: number;
}

export interface FeatureBatch {
  /** n x size features, in the order of `indices` */
  features: Float32Array;
  labels: Int32Array;
  /** dataset indices of the images that loaded (skipped ones are left out) */
  indices: number[];
  skipped: SkippedFile[];
}

export interface FeatureCacheOptions {
  extractor: FeatureExtractor;
  source: ImageSource;
  spec: ModelSpec;
  /** the fixed crops; a key's variant indexes this list */
  crops: FixedCrop[];
  budgetBytes?: number;
  /** called once, the first time an entry does not fit the budget */
  onOverBudget?: (message: string) => void;
  /** called with the keys of every extractor call (tests, diagnostics) */
  onExtract?: (keys: FeatureKey[]) => void;
  /**
   * A folder that keeps the features across runs (a linear probe's fc7 vectors: 16 KB an image), one
   * file per (image path, size, mtime, crop); the folder itself must be named for the weights and
   * layer (diskCacheName). Absent: memory only.
   */
  diskDir?: string;
}

/** The disk cache folder name for everything the features depend on besides the image. */
export function diskCacheName(parts: { weightsSha256: string; variant: string; layer: string; widths: unknown; normalisation: unknown }): string {
  return `${parts.variant}-${parts.layer}-${createHash('sha256').update(JSON.stringify({ format: 1, ...parts })).digest('hex').slice(0, 24)}`;
}

/** The crop an image uses in an epoch: one of `count` fixed crops, drawn from the seeded augment stream. */
export function variantFor(seed: number, epoch: number, index: number, count: number): number {
  return count <= 1 ? 0 : rngFor(seed, RNG.augment, epoch, index).int(count);
}

export class FeatureCache {
  private readonly entries = new Map<string, Float32Array>();
  /** features being computed, so concurrent batches never compute one twice */
  private readonly pending = new Map<string, Promise<Float32Array | undefined>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** extractor calls run one at a time (each already uses every core) */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private overBudget = false;
  readonly budgetBytes: number;
  bytes = 0;
  /** (image, crop) features computed, cached or not */
  computed = 0;
  /** features served from the cache */
  hits = 0;

  constructor(private readonly opts: FeatureCacheOptions) {
    this.budgetBytes = opts.budgetBytes ?? DEFAULT_FEATURE_CACHE_BYTES;
  }

  get size(): number {
    return this.entries.size;
  }

  get full(): boolean {
    return this.overBudget;
  }

  /** Features of items[indices[k]] in crop variants[k]; images that cannot be decoded come back in `skipped`. */
  batch(set: FeatureSet, items: LabelledImage[], indices: number[], variants: number[]): Promise<FeatureBatch> {
    if (this.closed) return Promise.reject(new Error('the feature cache was closed'));
    const p = this.assemble(set, items, indices, variants);
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  /** Waits for batches being assembled, then releases the extractor. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.queue.catch(() => undefined);
    this.entries.clear();
    this.bytes = 0;
    await this.opts.extractor.dispose();
  }

  private async assemble(set: FeatureSet, items: LabelledImage[], indices: number[], variants: number[]): Promise<FeatureBatch> {
    const { extractor } = this.opts;
    const keys = indices.map((index, k) => ({ set, index, variant: variants[k] }));
    const found: (Float32Array | undefined | Promise<Float32Array | undefined>)[] = keys.map((key) => {
      const id = keyId(key);
      const hit = this.entries.get(id);
      if (hit) this.hits++;
      return hit ?? this.pending.get(id);
    });
    const missing = keys.filter((_, k) => !found[k]);
    const skipped: SkippedFile[] = [];
    if (missing.length) {
      const computing = this.compute(items, missing, skipped);
      missing.forEach((key, m) => {
        const id = keyId(key);
        const one = computing.then((r) => r[m]);
        this.pending.set(id, one);
        const clear = () => this.pending.delete(id);
        one.then(clear, clear);
      });
      const results = await computing;
      let m = 0;
      keys.forEach((_, k) => {
        if (!found[k]) found[k] = results[m++];
      });
    }
    const resolved = await Promise.all(found);
    const ok = keys.map((_, k) => k).filter((k) => resolved[k]);
    const features = new Float32Array(ok.length * extractor.size);
    ok.forEach((k, j) => features.set(resolved[k]!, j * extractor.size));
    // a skipped image another batch was loading is reported by that batch too: report it here as well
    const reported = new Set(skipped.map((s) => s.path));
    for (let k = 0; k < keys.length; k++) {
      if (resolved[k] || reported.has(items[keys[k].index].path)) continue;
      try {
        await this.opts.source.load(items[keys[k].index].path); // rethrows the remembered failure
      } catch (e) {
        if (!isSkippedFile(e)) throw e;
        skipped.push(e);
      }
    }
    return {
      features,
      labels: Int32Array.from(ok.map((k) => items[keys[k].index].label)),
      indices: ok.map((k) => keys[k].index),
      skipped,
    };
  }

  /** Loads, crops and extracts `keys` in one extractor call; undefined for images that cannot be loaded. */
  private async compute(items: LabelledImage[], keys: FeatureKey[], skipped: SkippedFile[]): Promise<(Float32Array | undefined)[]> {
    const { extractor, source, spec, crops } = this.opts;
    const s = spec.inputSize;
    const out: (Float32Array | undefined)[] = new Array(keys.length).fill(undefined);
    // features kept on disk by an earlier run: no decoding, no extraction
    const files = this.opts.diskDir ? await Promise.all(keys.map((key) => this.diskFile(items[key.index].path, key.variant))) : [];
    if (files.length) {
      await Promise.all(keys.map(async (key, k) => {
        const f = files[k] && (await readFeatures(files[k]!, extractor.size));
        if (f) {
          out[k] = f;
          this.store(key, f);
        }
      }));
    }
    const loaded = await Promise.all(
      keys.map(async (key, k) => {
        if (out[k]) return undefined;
        try {
          return await source.load(items[key.index].path);
        } catch (e) {
          if (!isSkippedFile(e)) throw e;
          skipped.push(e);
          return undefined;
        }
      }),
    );
    const ok = keys.map((_, k) => k).filter((k) => loaded[k]);
    if (!ok.length) return out;
    const x = new Float32Array(ok.length * s * s * 3);
    ok.forEach((k, j) => cropNormalise(loaded[k]!, s, fixedCropParams(crops[keys[k].variant], loaded[k]!, s), spec.normalisation, x, j * s * s * 3));
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('the feature cache was closed');
      return extractor.extract(x, ok.length);
    });
    this.queue = run.catch(() => undefined);
    const flat = await run;
    this.opts.onExtract?.(ok.map((k) => keys[k]));
    this.computed += ok.length;
    ok.forEach((k, j) => {
      const f = flat.slice(j * extractor.size, (j + 1) * extractor.size);
      out[k] = f;
      this.store(keys[k], f);
    });
    if (files.length) await Promise.all(ok.map((k) => (files[k] ? writeFeatures(files[k]!, out[k]!) : undefined)));
    return out;
  }

  /** The disk entry of an image's crop, named by its path, size and mtime (a changed file misses); undefined when it cannot be stat'ed. */
  private async diskFile(path: string, variant: number): Promise<string | undefined> {
    // by the crop itself, not its index: the list of fixed crops depends on the run's augmentation
    const crop = this.opts.crops[variant];
    try {
      const id = await imageIdentity(path);
      const name = createHash('sha256').update(`${id.path}\0${id.size}\0${id.mtimeMs}\0${crop.position}\0${crop.flip}`).digest('hex').slice(0, 40);
      return join(this.opts.diskDir!, `${name}.f32`);
    } catch {
      return undefined;
    }
  }

  private store(key: FeatureKey, f: Float32Array): void {
    if (this.bytes + f.byteLength > this.budgetBytes) {
      if (!this.overBudget) {
        this.overBudget = true;
        this.opts.onOverBudget?.(
          `feature cache full (${formatBytes(this.budgetBytes)}, ${this.entries.size} crops): crops beyond it are recomputed each time they come up, which is slower`,
        );
      }
      return;
    }
    this.entries.set(keyId(key), f);
    this.bytes += f.byteLength;
  }
}

function keyId(k: FeatureKey): string {
  return `${k.set}:${k.index}:${k.variant}`;
}

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MB` : `${Math.round(n / 1024)} KB`;
}

/** Model folders of probe features kept on disk (the most recently used). */
const PROBE_FEATURE_MODELS = 3;

/**
 * A probe's fc7 vectors are small (16 KB an image) and depend only on the base weights and the
 * image, so they are kept on disk: a second probe on the same folder (another lr, a resume) skips
 * the forward passes. Frozen runs' pool5 crops (36 KB x 10 crops an image) stay in memory.
 */
export async function probeFeatureDir(config: TrainConfig, spec: ModelSpec, configFile: RunConfigFile, layer: string, root?: string): Promise<string | undefined> {
  if (config.mode !== 'probe' || !configFile.baseWeights) return undefined;
  const base = root ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'alexnet-explorer', 'train-features');
  const name = diskCacheName({
    weightsSha256: configFile.baseWeights.sha256, variant: spec.variant, layer, normalisation: spec.normalisation,
    widths: { convChannels: config.convChannels ?? null, fcUnits: config.fcUnits ?? null, loadAs: configFile.baseWeights.loadAs, size: spec.inputSize, resize: spec.resizeTo },
  });
  const dir = join(base, name);
  try {
    await fsp.mkdir(dir, { recursive: true });
    const now = new Date();
    await fsp.utimes(dir, now, now);
    await evictModels(base, PROBE_FEATURE_MODELS);
    return dir;
  } catch {
    return undefined; // an unwritable cache folder: memory only
  }
}

async function readFeatures(file: string, size: number): Promise<Float32Array | undefined> {
  try {
    const buf = await fsp.readFile(file);
    if (buf.length !== size * 4) return undefined; // torn or from another layout: recomputed
    const f = new Float32Array(size);
    new Uint8Array(f.buffer).set(buf);
    return f;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a reader sees a whole entry or none; a failed write only costs a recompute later. */
async function writeFeatures(file: string, f: Float32Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fsp.writeFile(tmp, new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
    await fsp.rename(tmp, file);
  } catch {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}
