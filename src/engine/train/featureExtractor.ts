// Frozen- and probe-mode feature extraction: the frozen layers (everything up to the layer that feeds
// the trained part: model.ts's FEATURE_LAYER pool5, or a probe's relu7) run on a batch of normalised
// crops. ONNX Runtime does it several times faster than tfjs's wasm backend on a CPU, so it is used when it loads and no GPU backend is
// in use; otherwise tfjs's convForward. Both give features in the layout headForward takes (NHWC).
import * as tf from '@tensorflow/tfjs-core';
import type { Params } from '../model/alexnet';
import type { DenseLayer, FlattenLayer, ModelSpec } from '../model/spec';
import { createOnnxRuntime, onnxAvailable, type HostParam, type OnnxRuntime } from '../onnx';
import { FEATURE_LAYER, featureShape, forwardTo } from './model';

export type FeatureRuntime = 'auto' | 'onnx' | 'tfjs';

export interface FeatureExtractor {
  /** which runtime computes the features */
  readonly runtime: 'onnx' | 'tfjs';
  /** for logs, e.g. "ONNX Runtime (CPU)" */
  readonly label: string;
  /** [h, w, c] of one image's features */
  readonly shape: number[];
  /** floats per image */
  readonly size: number;
  /** n normalised NHWC crops (n x S x S x 3) -> n x size floats, image after image */
  extract(x: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Whether tfjs runs on a GPU (tfjs-node-gpu with a device, or a browser GPU backend). */
export function gpuBackendInUse(): boolean {
  const name = tf.getBackend();
  if (name === 'webgl' || name === 'webgpu') return true;
  // tfjs-node's kernel backend says whether TensorFlow placed it on a GPU
  return (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

/**
 * The extractor for a frozen run. 'auto' picks ONNX Runtime unless a GPU backend is in use or
 * onnxruntime-node cannot load (then tfjs; `reason` says why). 'onnx' fails when ORT cannot be used.
 */
export async function createFeatureExtractor(
  spec: ModelSpec,
  params: Params,
  runtime: FeatureRuntime = 'auto',
  layer = FEATURE_LAYER,
): Promise<{ extractor: FeatureExtractor; reason?: string }> {
  if (runtime === 'tfjs') return { extractor: tfjsFeatureExtractor(spec, params, layer) };
  if (runtime === 'auto') {
    if (gpuBackendInUse()) return { extractor: tfjsFeatureExtractor(spec, params, layer), reason: 'tfjs runs on a GPU' };
    const ort = onnxAvailable();
    if (!ort.ok) return { extractor: tfjsFeatureExtractor(spec, params, layer), reason: ort.reason };
  }
  try {
    return { extractor: await onnxFeatureExtractor(spec, params, { layer }) };
  } catch (e) {
    if (runtime === 'onnx') throw e;
    return { extractor: tfjsFeatureExtractor(spec, params, layer), reason: `ONNX Runtime session failed: ${(e as Error).message}` };
  }
}

export function tfjsFeatureExtractor(spec: ModelSpec, params: Params, layer = FEATURE_LAYER): FeatureExtractor {
  const shape = featureShape(spec, layer);
  const size = shape.reduce((a, b) => a * b, 1);
  const s = spec.inputSize;
  return {
    runtime: 'tfjs',
    label: `TensorFlow.js (${tf.getBackend()})`,
    shape,
    size,
    async extract(x, n) {
      const out = tf.tidy(() => forwardTo(spec, params, tf.tensor4d(x, [n, s, s, 3]), layer));
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    },
    async dispose() {},
  };
}

/**
 * ONNX Runtime on the frozen layers only: the session's graph is the spec cut after `layer` with
 * a one-unit zero dense layer as its required logits, so the trained layers are neither copied nor run.
 */
export async function onnxFeatureExtractor(spec: ModelSpec, params: Params, opts: { threads?: number; layer?: string } = {}): Promise<FeatureExtractor> {
  const layer = opts.layer ?? FEATURE_LAYER;
  const shape = featureShape(spec, layer);
  const size = shape.reduce((a, b) => a * b, 1);
  const cut = spec.layers.findIndex((l) => l.name === layer);
  if (cut < 0) throw new Error(`spec has no ${layer}`);
  const flatten: FlattenLayer = { kind: 'flatten', name: 'features.flatten' };
  const probe: DenseLayer = { kind: 'dense', name: 'features.probe', inUnits: size, units: 1 };
  const convSpec: ModelSpec = { ...spec, numClasses: 1, layers: [...spec.layers.slice(0, cut + 1), ...(shape.length > 1 ? [flatten] : []), probe] };
  const host: Record<string, HostParam> = {
    'features.probe.weight': { shape: [size, 1], data: new Float32Array(size) },
    'features.probe.bias': { shape: [1], data: new Float32Array(1) },
  };
  for (const l of convSpec.layers) {
    if ((l.kind !== 'conv' && l.kind !== 'dense') || l.name === probe.name) continue;
    for (const p of ['weight', 'bias']) {
      const t = params[`${l.name}.${p}`];
      host[`${l.name}.${p}`] = { shape: [...t.shape], data: (await t.data()) as Float32Array };
    }
  }
  const rt: OnnxRuntime = await createOnnxRuntime(convSpec, host, { collect: [layer], ...(opts.threads ? { threads: opts.threads } : {}) });
  return {
    runtime: 'onnx',
    label: 'ONNX Runtime (CPU)',
    shape,
    size,
    async extract(x, n) {
      const r = await rt.run(x, n, { collect: [layer] });
      const act = r.activations.get(layer)!;
      if (act.data.length !== n * size) throw new Error(`ONNX features: expected ${n * size} values, got ${act.data.length}`);
      return act.data;
    },
    dispose: () => rt.dispose(),
  };
}
