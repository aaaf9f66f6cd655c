// AlexNet's forward pass in TensorFlow.js core ops, driven by a ModelSpec.
// Written with plain ops (no tfjs-layers) so that grouped convolutions, PyTorch-exact
// LRN, every intermediate activation and gradients (training, Grad-CAM) are all in reach.
import * as tf from '@tensorflow/tfjs-core';
import type { ConvLayer, Layer, ModelSpec } from './spec';
import { paramShapes } from './spec';

export type Params = Record<string, tf.Tensor>;

export interface ForwardOptions {
  /** dropout active (training only) */
  training?: boolean;
  /** layer names whose outputs are kept and returned (they are not disposed by the caller's tidy) */
  collect?: Iterable<string>;
  /** stop after this layer (its output is `output`) */
  upTo?: string;
  /** start at the layer after this one, with `x` being that layer's output (used by cached-feature training) */
  from?: string;
  /** apply the final softmax; by default the output is fc8's logits */
  softmax?: boolean;
}

export interface ForwardResult {
  output: tf.Tensor;
  activations: Map<string, tf.Tensor>;
}

/** Runs the network on an NHWC batch. Call inside tf.tidy or dispose the results yourself. */
export function forward(spec: ModelSpec, params: Params, x: tf.Tensor, opts: ForwardOptions = {}): ForwardResult {
  const collect = new Set(opts.collect ?? []);
  const activations = new Map<string, tf.Tensor>();
  let started = opts.from === undefined;
  let h = x;
  for (const layer of spec.layers) {
    if (!started) {
      if (layer.name === opts.from) started = true;
      continue;
    }
    if (layer.kind === 'softmax' && !opts.softmax && opts.upTo !== layer.name && !collect.has(layer.name)) break;
    h = applyLayer(layer, params, h, opts.training ?? false);
    if (collect.has(layer.name)) activations.set(layer.name, h);
    if (layer.name === opts.upTo) break;
  }
  return { output: h, activations };
}

export function applyLayer(layer: Layer, params: Params, x: tf.Tensor, training: boolean): tf.Tensor {
  switch (layer.kind) {
    case 'conv':
      return conv(layer, params, x as tf.Tensor4D);
    case 'relu':
      return tf.relu(x);
    case 'lrn':
      // PyTorch: b = a / (k + alpha/size * sum_{size window} a^2)^beta.
      // tfjs:    b = a / (bias + alpha * sum_{2r+1 window} a^2)^beta, so r = (size-1)/2, alpha' = alpha/size.
      return tf.localResponseNormalization(x as tf.Tensor4D, (layer.size - 1) / 2, layer.k, layer.alpha / layer.size, layer.beta);
    case 'maxpool':
      return tf.maxPool(x as tf.Tensor4D, layer.size, layer.stride, 'valid');
    case 'adaptiveavgpool':
      return adaptiveAvgPool(x as tf.Tensor4D, layer.size);
    case 'flatten':
      // NHWC flatten: H,W,C order. PyTorch weights are reordered at load time to match.
      return tf.reshape(x, [x.shape[0], -1]);
    case 'dropout':
      return training ? tf.dropout(x, layer.rate) : x;
    case 'dense':
      return tf.add(tf.matMul(x as tf.Tensor2D, params[`${layer.name}.weight`] as tf.Tensor2D), params[`${layer.name}.bias`]);
    case 'softmax':
      return tf.softmax(x);
  }
}

function conv(layer: ConvLayer, params: Params, x: tf.Tensor4D): tf.Tensor4D {
  const w = params[`${layer.name}.weight`] as tf.Tensor4D;
  const b = params[`${layer.name}.bias`];
  const pad = layer.pad;
  let y: tf.Tensor4D;
  if (layer.groups === 1) {
    y = tf.conv2d(x, w, layer.stride, pad);
  } else {
    // Grouped convolution: group g sees input channels [g*I, (g+1)*I) and owns filters [g*O, (g+1)*O).
    const xs = tf.split(x, layer.groups, 3) as tf.Tensor4D[];
    const ws = tf.split(w, layer.groups, 3) as tf.Tensor4D[];
    y = tf.concat(xs.map((xi, g) => tf.conv2d(xi, ws[g], layer.stride, pad) as tf.Tensor4D), 3);
  }
  return tf.add(y, b);
}

/** PyTorch's AdaptiveAvgPool2d: bin i covers [floor(i*H/out), ceil((i+1)*H/out)). */
export function adaptiveAvgPool(x: tf.Tensor4D, out: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h === out && w === out) return x;
  const rows: tf.Tensor4D[] = [];
  for (let i = 0; i < out; i++) {
    const h0 = Math.floor((i * h) / out);
    const h1 = Math.ceil(((i + 1) * h) / out);
    const cols: tf.Tensor4D[] = [];
    for (let j = 0; j < out; j++) {
      const w0 = Math.floor((j * w) / out);
      const w1 = Math.ceil(((j + 1) * w) / out);
      cols.push(tf.mean(tf.slice(x, [0, h0, w0, 0], [-1, h1 - h0, w1 - w0, -1]), [1, 2], true));
    }
    rows.push(tf.concat(cols, 2));
  }
  return tf.concat(rows, 1);
}

/**
 * The paper's initialisation for training from scratch: weights ~ N(0, 0.01);
 * biases 1 in conv2, conv4, conv5 and the fully connected layers (so ReLUs start
 * with positive inputs), 0 in conv1 and conv3.
 */
export function paperInit(spec: ModelSpec, seed = 42, include: (paramName: string) => boolean = () => true): Params {
  const onesBias = new Set(['conv2', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8']);
  const params: Params = {};
  let s = seed;
  for (const p of paramShapes(spec)) {
    const [layer, kind] = p.name.split('.');
    // every weight has its own seed, so leaving some out does not change the others
    if (!include(p.name)) {
      if (kind === 'weight') s++;
      continue;
    }
    if (kind === 'weight') params[p.name] = tf.randomNormal(p.shape, 0, 0.01, 'float32', s++);
    else params[p.name] = onesBias.has(layer) ? tf.ones(p.shape) : tf.zeros(p.shape);
  }
  return params;
}

/**
 * Variance-preserving random weights (He et al.: N(0, 2/fan_in), zero biases) for the
 * "untrained" model people classify and inspect without downloading anything. With the
 * paper's init the constant biases swamp the tiny N(0, 0.01) weights, so every image gets
 * the same answer and every feature map looks alike; here activations keep their scale
 * through the layers, so outputs and maps still depend on the image.
 */
export function heInit(spec: ModelSpec, seed = 42, include: (paramName: string) => boolean = () => true): Params {
  const params: Params = {};
  let s = seed;
  for (const p of paramShapes(spec)) {
    if (!include(p.name)) {
      if (p.name.endsWith('.weight')) s++;
      continue;
    }
    const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
    params[p.name] = p.name.endsWith('.weight') ? tf.randomNormal(p.shape, 0, Math.sqrt(2 / fanIn), 'float32', s++) : tf.zeros(p.shape);
  }
  return params;
}

/** Checks a parameter set against a spec; returns the problems (empty when it fits). */
export function checkParams(spec: ModelSpec, shapes: Record<string, number[]>): { missing: string[]; unexpected: string[]; misshaped: string[] } {
  const expected = paramShapes(spec);
  const names = new Set(expected.map((p) => p.name));
  const missing: string[] = [];
  const misshaped: string[] = [];
  for (const p of expected) {
    const got = shapes[p.name];
    if (!got) missing.push(p.name);
    else if (got.length !== p.shape.length || got.some((d, i) => d !== p.shape[i]))
      misshaped.push(`${p.name}: expected [${p.shape.join(', ')}], got [${got.join(', ')}]`);
  }
  const unexpected = Object.keys(shapes).filter((n) => !names.has(n));
  return { missing, unexpected, misshaped };
}
