// Gradient graphs for the inspect views on ONNX Runtime, built from the same layer forward/backward
// pieces as the training step (onnx/train/layers.ts), with the model's weights baked in:
//  - Grad-CAM: the class logit's gradient with respect to a spatial layer's output (seed: one-hot class)
//  - synthesis: a channel's mean pre-activation's gradient with respect to the input image
// Sessions are cached per (weights, graph): building one bakes 244 MB of weights and takes ~1-2 s.
import type { Layer, ModelSpec } from '../model/spec';
import { paramShapes } from '../model/spec';
import type { HostTensor } from '../weights/hostTensor';
import { CPU_GRAPH_OPTIONS, TrainGraph } from '../onnx/train/graphBuilder';
import { layerForward, type LayerContext, type LayerStep } from '../onnx/train/layers';
import { hwioToOihw } from '../onnx/train/layout';
import { createTrainingSession, ortTensor, type TrainSession } from '../onnx/train/session';

export type HostParams = Record<string, HostTensor>;

interface Built {
  g: TrainGraph;
  steps: LayerStep[];
  /** index in `steps` of each spec layer's step (dropout and softmax have none) */
  stepOf: Map<string, number>;
  outs: string[];
  shapes: number[][];
}

/** Forward (eval: no dropout) up to `last`, with baked weights, from an NHWC input of size x size. */
function forwardGraph(spec: ModelSpec, params: HostParams, last: number, size: number, name: string): Built {
  // the gradient is read at layer outputs (a ReLU's too): no ReLU/MaxPool fusion
  const g = new TrainGraph(name, { ...CPU_GRAPH_OPTIONS, fuseReluPool: false, batchHint: 1 });
  const shapes = new Map(paramShapes(spec).map((p) => [p.name, p.shape]));
  const ctx: LayerContext = {
    g,
    nhwc: false,
    param: (n) => {
      const p = params[n];
      if (!p) throw new Error(`missing parameter ${n}`);
      const conv = n.endsWith('.weight') && p.shape.length === 4;
      const [kh, kw, i, o] = shapes.get(n) ?? p.shape;
      return conv ? g.constF(hwioToOihw(p.data, p.shape), [o, i, kh, kw]) : g.constF(p.data, p.shape);
    },
    mask: () => {
      throw new Error('no dropout in inspection graphs');
    },
  };
  let x = g.transpose(g.input('x', [1, size, size, 3]), [0, 3, 1, 2]);
  let shape = [3, size, size];
  const steps: LayerStep[] = [];
  const stepOf = new Map<string, number>();
  const outs: string[] = [];
  const outShapes: number[][] = [];
  spec.layers.slice(0, last + 1).forEach((layer: Layer) => {
    if (layer.kind === 'dropout' || layer.kind === 'softmax') return;
    const st = layerForward(ctx, layer, x, shape);
    stepOf.set(layer.name, steps.length);
    steps.push(st);
    outs.push(st.out);
    outShapes.push(st.shape);
    x = st.out;
    shape = st.shape;
  });
  return { g, steps, stepOf, outs, shapes: outShapes };
}

/** NCHW [1, C, H, W] -> NHWC for outputs (the tfjs layout every view uses). */
const toNhwc = (g: TrainGraph, t: string, shape: number[]) => (shape.length === 3 ? g.transpose(t, [0, 2, 3, 1]) : t);
const nhwcDims = (shape: number[]) => (shape.length === 3 ? [1, shape[1], shape[2], shape[0]] : [1, ...shape]);

/** Backward from `seed` at the output of step `from` down to the output of step `to` (or the input when to = -1). */
function backward(b: Built, from: number, to: number, seed: string): string {
  let d = seed;
  for (let i = from; i > to; i--) d = b.steps[i].backward(d, true).dx!;
  return d;
}

export interface CamGraph {
  /** logits [K], the layer's activation and the gradient of the seeded logit there (both NHWC [H, W, C]) */
  run(input: Float32Array, classIndex: number | undefined): Promise<{ logits: Float32Array; activation: Float32Array; gradient: Float32Array; height: number; width: number; channels: number }>;
}

export function buildCamModel(spec: ModelSpec, params: HostParams, layer: string): { bytes: Uint8Array; height: number; width: number; channels: number } {
  const last = spec.layers.map((l) => l.kind).lastIndexOf('dense');
  const b = forwardGraph(spec, params, last, spec.inputSize, `alexnet-${spec.variant}-gradcam`);
  const at = b.stepOf.get(layer);
  if (at === undefined) throw new RangeError(`no layer named '${layer}'`);
  const logits = b.outs[b.outs.length - 1];
  const seed = b.g.input('seed', [1, spec.numClasses]);
  const grad = backward(b, b.steps.length - 1, at, seed);
  const shape = b.shapes[at];
  b.g.output('activation', toNhwc(b.g, b.outs[at], shape), nhwcDims(shape));
  b.g.output('gradient', toNhwc(b.g, grad, shape), nhwcDims(shape));
  b.g.output('logits', logits, [1, spec.numClasses]);
  return { bytes: b.g.encode(), height: shape[1], width: shape[2], channels: shape[0] };
}

export function buildSynthesisModel(spec: ModelSpec, params: HostParams, layer: string, preActivation: string, size: number): { bytes: Uint8Array; shape: number[] } {
  const at = spec.layers.findIndex((l) => l.name === layer);
  const pre = spec.layers.findIndex((l) => l.name === preActivation);
  if (at < 0 || pre < 0) throw new RangeError(`no layer named '${at < 0 ? layer : preActivation}'`);
  const b = forwardGraph(spec, params, Math.max(at, pre), size, `alexnet-${spec.variant}-synthesis`);
  const ia = b.stepOf.get(layer)!;
  const ip = b.stepOf.get(preActivation)!;
  const seedShape = b.shapes[ip];
  const seed = b.g.input('seed', [1, ...seedShape]);
  const dx = backward(b, ip, -1, seed);
  b.g.output('activation', toNhwc(b.g, b.outs[ia], b.shapes[ia]), nhwcDims(b.shapes[ia]));
  b.g.output('gradient', b.g.transpose(dx, [0, 2, 3, 1]), [1, size, size, 3]);
  return { bytes: b.g.encode(), shape: seedShape };
}

const sessions = new WeakMap<object, Map<string, Promise<{ session: TrainSession; meta: unknown }>>>();
/** Each session holds its own copy of the weights: keep the few last used per model. */
const KEEP_SESSIONS = 2;

/** One session per (weights object, key), built on first use; the least recently used beyond KEEP_SESSIONS are released. */
async function cached<M>(params: object, key: string, build: () => { bytes: Uint8Array; meta: M }): Promise<{ session: TrainSession; meta: M }> {
  let m = sessions.get(params);
  if (!m) sessions.set(params, (m = new Map()));
  let p = m.get(key);
  if (p) m.delete(key); // re-inserted below as the most recent
  else {
    p = (async () => {
      const { bytes, meta } = build();
      return { session: await createTrainingSession(bytes, 'cpu'), meta };
    })();
    p.catch(() => m!.delete(key));
  }
  m.set(key, p);
  while (m.size > KEEP_SESSIONS) {
    const [oldKey, old] = m.entries().next().value as [string, Promise<{ session: TrainSession }>];
    m.delete(oldKey);
    old.then((o) => o.session.release(), () => undefined);
  }
  return p as Promise<{ session: TrainSession; meta: M }>;
}

/** Grad-CAM's raw pieces for one NHWC model-normalised image; classIndex defaults to the top logit. */
export async function ortCamPieces(spec: ModelSpec, params: () => HostParams, weightsKey: object, input: Float32Array, layer: string, classIndex?: number) {
  const { session, meta } = await cached(weightsKey, `cam:${layer}`, () => {
    const m = buildCamModel(spec, params(), layer);
    return { bytes: m.bytes, meta: { height: m.height, width: m.width, channels: m.channels } };
  });
  return camPiecesOn(session, meta, spec, input, classIndex);
}

/** Grad-CAM's raw pieces from a session of buildCamModel (`meta`: its activation's size). */
export async function camPiecesOn(session: TrainSession, meta: { height: number; width: number; channels: number }, spec: ModelSpec, input: Float32Array, classIndex?: number) {
  const S = spec.inputSize;
  const x = ortTensor(input.subarray(0, S * S * 3), [1, S, S, 3]);
  const K = spec.numClasses;
  let cls = classIndex;
  let logits: Float32Array | undefined;
  if (cls === undefined) {
    logits = (await session.run({ x, seed: ortTensor(new Float32Array(K), [1, K]) }, ['logits'])).logits.data as Float32Array;
    cls = 0;
    for (let k = 1; k < K; k++) if (logits[k] > logits[cls]) cls = k;
  }
  if (!Number.isInteger(cls) || cls < 0 || cls >= K) throw new RangeError(`class ${classIndex} is out of range (0..${K - 1})`);
  const seed = new Float32Array(K);
  seed[cls] = 1;
  const out = await session.run({ x, seed: ortTensor(seed, [1, K]) }, ['logits', 'activation', 'gradient']);
  return {
    classIndex: cls,
    logits: out.logits.data as Float32Array,
    activation: out.activation.data as Float32Array,
    gradient: out.gradient.data as Float32Array,
    height: meta.height, width: meta.width, channels: meta.channels,
  };
}

/**
 * The synthesis step's pieces for an NHWC model-normalised image of size x size: the channel's
 * mean activation at `layer` and the gradient of the mean pre-activation with respect to the input.
 */
export async function ortSynthesisPieces(spec: ModelSpec, params: () => HostParams, weightsKey: object, input: Float32Array, size: number, layer: string, preActivation: string, channel: number) {
  const { session, meta } = await cached(weightsKey, `synth:${layer}:${preActivation}:${size}`, () => {
    const m = buildSynthesisModel(spec, params(), layer, preActivation, size);
    return { bytes: m.bytes, meta: m.shape };
  });
  const shape = meta as number[];
  const seed = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const per = shape.length === 3 ? shape[1] * shape[2] : 1;
  for (let i = 0; i < per; i++) seed[channel * per + i] = 1 / per; // NCHW: the channel's plane
  const out = await session.run({ x: ortTensor(input, [1, size, size, 3]), seed: ortTensor(seed, [1, ...shape]) }, ['activation', 'gradient']);
  const act = out.activation.data as Float32Array;
  const dims = out.activation.dims;
  const C = dims[dims.length - 1];
  let sum = 0;
  for (let i = channel; i < act.length; i += C) sum += act[i];
  return { activation: sum / (act.length / C), gradient: out.gradient.data as Float32Array };
}
