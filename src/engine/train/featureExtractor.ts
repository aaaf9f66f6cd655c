// Frozen-mode feature extraction: the frozen conv stack (everything up to the layer that feeds the
// head, model.ts's FEATURE_LAYER) run on a batch of normalised crops. ONNX Runtime does it several
// times faster than tfjs's wasm backend on a CPU, so it is used when it loads and no GPU backend is
// in use; otherwise tfjs's convForward. Both give features in the layout headForward takes (NHWC).
import * as tf from '@tensorflow/tfjs-core';
import type { Params } from '../model/alexnet';
import type { DenseLayer, FlattenLayer, ModelSpec } from '../model/spec';
import { createOnnxRuntime, onnxAvailable, type HostParam, type OnnxRuntime } from '../onnx';
import { convForward, FEATURE_LAYER, featureShape } from './model';

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
): Promise<{ extractor: FeatureExtractor; reason?: string }> {
  if (runtime === 'tfjs') return { extractor: tfjsFeatureExtractor(spec, params) };
  if (runtime === 'auto') {
    if (gpuBackendInUse()) return { extractor: tfjsFeatureExtractor(spec, params), reason: 'tfjs runs on a GPU' };
    const ort = onnxAvailable();
    if (!ort.ok) return { extractor: tfjsFeatureExtractor(spec, params), reason: ort.reason };
  }
  try {
    return { extractor: await onnxFeatureExtractor(spec, params) };
  } catch (e) {
    if (runtime === 'onnx') throw e;
    return { extractor: tfjsFeatureExtractor(spec, params), reason: `ONNX Runtime session failed: ${(e as Error).message}` };
  }
}

export function tfjsFeatureExtractor(spec: ModelSpec, params: Params): FeatureExtractor {
  const shape = featureShape(spec);
  const size = shape.reduce((a, b) => a * b, 1);
  const s = spec.inputSize;
  return {
    runtime: 'tfjs',
    label: `TensorFlow.js (${tf.getBackend()})`,
    shape,
    size,
    async extract(x, n) {
      const out = tf.tidy(() => convForward(spec, params, tf.tensor4d(x, [n, s, s, 3])));
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
 * ONNX Runtime on the conv stack only: the session's graph is the spec cut after FEATURE_LAYER with
 * a one-unit zero dense layer as its required logits, so the head's weights are neither copied nor run.
 */
export async function onnxFeatureExtractor(spec: ModelSpec, params: Params, opts: { threads?: number } = {}): Promise<FeatureExtractor> {
  const shape = featureShape(spec);
  const size = shape.reduce((a, b) => a * b, 1);
  const cut = spec.layers.findIndex((l) => l.name === FEATURE_LAYER);
  if (cut < 0) throw new Error(`spec has no ${FEATURE_LAYER}`);
  const flatten: FlattenLayer = { kind: 'flatten', name: 'features.flatten' };
  const probe: DenseLayer = { kind: 'dense', name: 'features.probe', inUnits: size, units: 1 };
  const convSpec: ModelSpec = { ...spec, numClasses: 1, layers: [...spec.layers.slice(0, cut + 1), flatten, probe] };
  const host: Record<string, HostParam> = {
    'features.probe.weight': { shape: [size, 1], data: new Float32Array(size) },
    'features.probe.bias': { shape: [1], data: new Float32Array(1) },
  };
  for (const layer of convSpec.layers) {
    if (layer.kind !== 'conv') continue;
    for (const p of ['weight', 'bias']) {
      const t = params[`${layer.name}.${p}`];
      host[`${layer.name}.${p}`] = { shape: [...t.shape], data: (await t.data()) as Float32Array };
    }
  }
  const rt: OnnxRuntime = await createOnnxRuntime(convSpec, host, { collect: [FEATURE_LAYER], ...(opts.threads ? { threads: opts.threads } : {}) });
  return {
    runtime: 'onnx',
    label: 'ONNX Runtime (CPU)',
    shape,
    size,
    async extract(x, n) {
      const r = await rt.run(x, n, { collect: [FEATURE_LAYER] });
      const act = r.activations.get(FEATURE_LAYER)!;
      if (act.data.length !== n * size) throw new Error(`ONNX features: expected ${n * size} values, got ${act.data.length}`);
      return act.data;
    },
    dispose: () => rt.dispose(),
  };
}
