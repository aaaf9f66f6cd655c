// A folder's fc7 features for the project view: every image decoded, preprocessed as for
// classification, run through the network in batches (ONNX Runtime's session when the engine has
// one: its graph returns every inspectable layer; tfjs otherwise), and its fc7 vector (after the
// ReLU), top predictions and a small thumbnail of what the network saw kept in a FeatureStore.
// An image that cannot be decoded becomes an error item; the others go on.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../model/spec';
import { forward, type Params } from '../model/alexnet';
import type { OnnxRuntime } from '../onnx';
import { decodeImageFile, isImageDecodeError, modelView, normalise, resizeRgb } from '../image';
import { throwIfCancelled, yieldToEventLoop } from '../handlers/context';
import { imageIdentity, type FeatureStore, type ImageIdentity, type StoredFeatures } from './featureStore';

/** The layer whose output is an image's feature vector: fc7 after its ReLU (4096 values in every variant). */
export const FEATURE_LAYER = 'relu7';
export const DEFAULT_THUMB_SIZE = 32;
export const DEFAULT_TOP_K = 5;

/** One forward pass over a batch: the feature layer's output and the class probabilities. */
export interface FeatureRunner {
  layer: string;
  /** 'onnx' or 'tfjs' (the response says which runtime answered) */
  runtime: 'onnx' | 'tfjs';
  run(batch: Float32Array, n: number): Promise<{ features: Float32Array; probabilities: Float32Array; dims: number }>;
}

export function onnxRunner(onnx: OnnxRuntime, layer = FEATURE_LAYER): FeatureRunner {
  if (!onnx.collectable.includes(layer)) throw new RangeError(`the ONNX session does not return '${layer}'`);
  return {
    layer,
    runtime: 'onnx',
    async run(batch, n) {
      const r = await onnx.run(batch, n, { collect: [layer] });
      const act = r.activations.get(layer)!;
      return { features: act.data, probabilities: r.probabilities, dims: act.data.length / n };
    },
  };
}

export function tfjsRunner(spec: ModelSpec, params: Params, layer = FEATURE_LAYER): FeatureRunner {
  if (!spec.layers.some((l) => l.name === layer)) throw new RangeError(`'${layer}' is not a layer of ${spec.variant}`);
  return {
    layer,
    runtime: 'tfjs',
    async run(batch, n) {
      const s = spec.inputSize;
      const [probs, act] = tf.tidy(() => {
        const r = forward(spec, params, tf.tensor4d(batch, [n, s, s, 3]), { collect: [layer], softmax: true });
        return [r.output, r.activations.get(layer)!];
      });
      const probabilities = probs.dataSync() as Float32Array;
      const features = act.dataSync() as Float32Array;
      probs.dispose();
      act.dispose();
      return { features, probabilities, dims: features.length / n };
    },
  };
}

export type ProjectImageRecord =
  | ({ path: string; ok: true; cached: boolean } & StoredFeatures)
  | { path: string; ok: false; error: string; code: string };

export interface ExtractOptions {
  store?: FeatureStore;
  topK?: number;
  thumbSize?: number;
  batchSize?: number;
  signal?: AbortSignal;
  /** after each batch: images done (cached or computed), of total */
  onProgress?: (done: number, total: number, computed: number, cached: number) => void;
}

/** Top-k class indices with their probabilities, best first. */
export function topOf(probs: Float32Array, offset: number, classes: number, k: number): { index: number; probability: number }[] {
  const idx = Array.from({ length: classes }, (_, i) => i);
  idx.sort((a, b) => probs[offset + b] - probs[offset + a]);
  return idx.slice(0, Math.min(k, classes)).map((i) => ({ index: i, probability: probs[offset + i] }));
}

function errorItem(path: string, err: unknown): ProjectImageRecord {
  if (isImageDecodeError(err)) return { path, ok: false, error: err.message, code: err.code };
  const e = err as NodeJS.ErrnoException;
  return { path, ok: false, error: e?.code === 'ENOENT' ? `${path}: no such file` : e instanceof Error ? e.message : String(err), code: e?.code === 'ENOENT' ? 'not-found' : 'unreadable' };
}

/** Features, predictions and thumbnails of every path, from the store where it has them. */
export async function extractFeatures(paths: string[], spec: ModelSpec, runner: FeatureRunner, opts: ExtractOptions = {}): Promise<{ records: ProjectImageRecord[]; computed: number; cached: number }> {
  const thumbSize = opts.thumbSize ?? DEFAULT_THUMB_SIZE;
  const topK = opts.topK ?? DEFAULT_TOP_K;
  const batchSize = opts.batchSize ?? 8;
  const records: ProjectImageRecord[] = new Array(paths.length);
  let computed = 0;
  let cached = 0;
  let done = 0;
  const s = spec.inputSize;
  for (let start = 0; start < paths.length; start += batchSize) {
    if (opts.signal) throwIfCancelled(opts.signal);
    const chunk = paths.slice(start, start + batchSize);
    const todo: { i: number; id: ImageIdentity; thumbnail: Uint8Array; width: number; height: number }[] = [];
    const inputs: Float32Array[] = [];
    await Promise.all(
      chunk.map(async (path, j) => {
        const i = start + j;
        try {
          const id = await imageIdentity(path);
          const hit = await opts.store?.get(id);
          if (hit && hit.thumbSize === thumbSize && hit.top.length >= Math.min(topK, spec.numClasses)) {
            records[i] = { path, ok: true, cached: true, ...hit, top: hit.top.slice(0, topK) };
            cached++;
            return;
          }
          const img = await decodeImageFile(path);
          const view = modelView(img, spec);
          const thumb = resizeRgb(view, thumbSize, thumbSize);
          todo.push({ i, id, thumbnail: thumb.data, width: img.width, height: img.height });
          inputs.push(normalise(view, spec.normalisation));
        } catch (err) {
          records[i] = errorItem(path, err);
        }
      }),
    );
    if (todo.length) {
      const batch = new Float32Array(todo.length * s * s * 3);
      inputs.forEach((x, j) => batch.set(x, j * s * s * 3));
      const out = await runner.run(batch, todo.length);
      for (let j = 0; j < todo.length; j++) {
        const t = todo[j];
        const value: StoredFeatures = {
          features: out.features.slice(j * out.dims, (j + 1) * out.dims),
          top: topOf(out.probabilities, j * spec.numClasses, spec.numClasses, topK),
          thumbnail: t.thumbnail,
          thumbSize,
          width: t.width,
          height: t.height,
        };
        records[t.i] = { path: paths[t.i], ok: true, cached: false, ...value };
        computed++;
        // A store that cannot write (disk full, read-only) costs the next look its speed, nothing else.
        await opts.store?.put(t.id, value).catch((e: unknown) => console.warn(`project feature cache: ${(e as Error).message}`));
      }
    }
    done += chunk.length;
    opts.onProgress?.(done, paths.length, computed, cached);
    await yieldToEventLoop();
  }
  return { records, computed, cached };
}
