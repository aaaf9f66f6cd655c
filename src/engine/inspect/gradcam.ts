// Grad-CAM (Selvaraju et al. 2017): weight each channel of a conv layer's output by the mean
// gradient of the class score (the logit, before softmax) over that channel, sum, ReLU.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../model/spec';
import { forward, type Params } from '../model/alexnet';
import './gradients';
import { ortCamPieces } from './ortGradients';

/** The default Grad-CAM layer: the last conv layer's ReLU (or the conv itself when none follows). */
export function defaultCamLayer(spec: ModelSpec): string {
  const lastConv = spec.layers.map((l) => l.kind).lastIndexOf('conv');
  if (lastConv < 0) throw new RangeError('the model has no conv layer');
  const next = spec.layers[lastConv + 1];
  return next?.kind === 'relu' ? next.name : spec.layers[lastConv].name;
}

export interface GradCam {
  layer: string;
  classIndex: number;
  height: number;
  width: number;
  /** h*w in [0,1] */
  heatmap: Float32Array;
  rawMax: number;
  /** softmax over the classes for this image */
  probabilities: Float32Array;
}

/**
 * Grad-CAM for the first image of `x` (NHWC, model-normalised). `classIndex` defaults to the
 * top class. `layer` must be a spatial layer (conv, relu, lrn or pool before flatten).
 */
export function gradCam(spec: ModelSpec, params: Params, x: tf.Tensor4D, classIndex?: number, layer = defaultCamLayer(spec)): GradCam {
  const at = spec.layers.findIndex((l) => l.name === layer);
  const flatten = spec.layers.findIndex((l) => l.kind === 'flatten');
  if (at < 0) throw new RangeError(`no layer named '${layer}'`);
  if (flatten >= 0 && at >= flatten) throw new RangeError(`Grad-CAM needs a spatial layer; '${layer}' comes after flatten`);
  const result = tf.tidy(() => {
    const input = x.shape[0] === 1 ? x : (tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D);
    const activation = forward(spec, params, input, { upTo: layer }).output as tf.Tensor4D;
    const { logits, classGradient } = denseHead(spec, params, forward(spec, params, activation, { from: layer, upTo: spec.layers[flatten].name }).output as tf.Tensor2D);
    const probabilities = tf.softmax(logits).dataSync() as Float32Array;
    let cls = classIndex ?? argMax(probabilities);
    if (!Number.isInteger(cls) || cls < 0 || cls >= probabilities.length) throw new RangeError(`class ${classIndex} is out of range (0..${probabilities.length - 1})`);
    cls = Math.floor(cls);
    // The spatial part (pooling) by autodiff, seeded with the dense head's gradient.
    const toFlat = (a: tf.Tensor) => forward(spec, params, a, { from: layer, upTo: spec.layers[flatten].name }).output;
    const grad = tf.grad(toFlat)(activation, classGradient(cls) as tf.Tensor);
    const channelWeights = tf.mean(grad, [1, 2], true); // [1,1,1,C]
    const cam = tf.relu(tf.sum(tf.mul(activation, channelWeights), 3)); // [1,H,W]
    const raw = cam.dataSync() as Float32Array;
    return { cls, probabilities: new Float32Array(probabilities), raw: new Float32Array(raw), height: activation.shape[1], width: activation.shape[2] };
  });
  let rawMax = 0;
  for (const v of result.raw) if (v > rawMax) rawMax = v;
  const heatmap = result.raw.map((v) => (rawMax > 0 ? v / rawMax : 0));
  return { layer, classIndex: result.cls, height: result.height, width: result.width, heatmap, rawMax, probabilities: result.probabilities };
}

/**
 * The layers after flatten (dense, ReLU, dropout) run forward, and the gradient of one logit
 * with respect to their input by hand: for y = xW + b, dL/dx = (W dL/dy^T)^T. Written so that
 * no multiplication needs the big weight matrix transposed (a slow path on the wasm backend,
 * and a 150 MB copy for fc6); the result equals autodiff's.
 */
export function denseHead(spec: ModelSpec, params: Params, flat: tf.Tensor2D): { logits: tf.Tensor2D; classGradient(cls: number): tf.Tensor2D } {
  const flatten = spec.layers.findIndex((l) => l.kind === 'flatten');
  const steps: ({ kind: 'dense'; weight: tf.Tensor2D } | { kind: 'relu'; mask: tf.Tensor2D })[] = [];
  let h = flat;
  for (const layer of spec.layers.slice(flatten + 1)) {
    if (layer.kind === 'dense') {
      const weight = params[`${layer.name}.weight`] as tf.Tensor2D;
      h = tf.add(tf.matMul(h, weight), params[`${layer.name}.bias`]);
      steps.push({ kind: 'dense', weight });
    } else if (layer.kind === 'relu') {
      h = tf.relu(h);
      steps.push({ kind: 'relu', mask: tf.cast(tf.greater(h, 0), 'float32') as tf.Tensor2D });
    } else if (layer.kind === 'softmax') break;
    else if (layer.kind !== 'dropout') throw new Error(`unexpected ${layer.kind} layer after flatten`);
  }
  const logits = h;
  return {
    logits,
    classGradient(cls: number): tf.Tensor2D {
      let g = tf.cast(tf.oneHot(tf.tensor1d([cls], 'int32'), logits.shape[1]), 'float32') as tf.Tensor2D; // [1, classes]
      for (let i = steps.length - 1; i >= 0; i--) {
        const step = steps[i];
        if (step.kind === 'relu') g = tf.mul(g, step.mask);
        else g = tf.reshape(tf.matMul(step.weight, tf.reshape(g, [-1, 1])), [1, -1]); // [in, out] x [out, 1]
      }
      return g;
    },
  };
}

function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Host copies of tfjs params (for baking into an ONNX graph). */
export function hostParamsOf(params: Params): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [k, t] of Object.entries(params)) out[k] = { shape: [...t.shape], data: t.dataSync() as Float32Array };
  return out;
}

/** gradCam on ONNX Runtime (a gradient graph to the layer, ortGradients.ts): the same result. */
export async function gradCamOnnx(spec: ModelSpec, params: Params, x: tf.Tensor4D, classIndex?: number, layer = defaultCamLayer(spec)): Promise<GradCam> {
  const at = spec.layers.findIndex((l) => l.name === layer);
  const flatten = spec.layers.findIndex((l) => l.kind === 'flatten');
  if (at < 0) throw new RangeError(`no layer named '${layer}'`);
  if (flatten >= 0 && at >= flatten) throw new RangeError(`Grad-CAM needs a spatial layer; '${layer}' comes after flatten`);
  const S = spec.inputSize;
  const input = (x.dataSync() as Float32Array).subarray(0, S * S * 3);
  const p = await ortCamPieces(spec, () => hostParamsOf(params), params, input, layer, classIndex);
  return camFromPieces(layer, p);
}

/** Grad-CAM from ONNX Runtime's pieces (ortGradients.ts): channel weights = mean gradient, ReLU of the weighted sum, softmax of the logits. */
export function camFromPieces(layer: string, p: { classIndex: number; logits: Float32Array; activation: Float32Array; gradient: Float32Array; height: number; width: number; channels: number }): GradCam {
  const { height: H, width: W, channels: C } = p;
  const weights = new Float64Array(C);
  for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) weights[c] += p.gradient[i * C + c];
  for (let c = 0; c < C; c++) weights[c] /= H * W;
  const raw = new Float32Array(H * W);
  let rawMax = 0;
  for (let i = 0; i < H * W; i++) {
    let v = 0;
    for (let c = 0; c < C; c++) v += p.activation[i * C + c] * weights[c];
    raw[i] = Math.max(0, v);
    rawMax = Math.max(rawMax, raw[i]);
  }
  const heatmap = raw.map((v) => (rawMax > 0 ? v / rawMax : 0));
  let max = -Infinity;
  for (const v of p.logits) max = Math.max(max, v);
  const e = p.logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return { layer, classIndex: p.classIndex, height: H, width: W, heatmap, rawMax, probabilities: e.map((v) => v / sum) };
}
