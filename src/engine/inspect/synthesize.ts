// "What excites this channel": gradient ascent on the input image to raise a channel's mean
// activation. Regularised as in Olah et al. / Yosinski et al. so the result is a pattern rather
// than high-frequency noise: a random shift (jitter) each step, a Gaussian blur every few steps,
// normalised gradient steps in pixel space and pixels kept in [0, 1].
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../model/spec';
import { forward, type Params } from '../model/alexnet';
import './gradients';
import { pixelsToInput, pixelsToRgba } from './pixels';
import type { RgbaImage, SynthesizeParams } from '../../protocol/engine/inspect';
import { ortSynthesisPieces } from './ortGradients';
import { hostParamsOf } from './gradcam';
import { Rng } from '../train/rng';

export interface SynthesisHooks {
  signal?: AbortSignal;
  /** called after every step; awaited, so it can also yield to the event loop */
  onStep?(step: number, steps: number, activation: number): void | Promise<void>;
  onPreview?(step: number, steps: number, activation: number, image: RgbaImage): void;
  /** the network's forward and gradient on ONNX Runtime (ortGradients.ts) instead of tfjs */
  onnx?: boolean;
}

export interface Synthesis {
  image: RgbaImage;
  initialActivation: number;
  finalActivation: number;
  steps: number;
}

export class SynthesisCancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

/** Output channels of a layer (units for dense layers). */
export function layerChannels(spec: ModelSpec, layer: string): number {
  let channels = 3;
  for (const l of spec.layers) {
    if (l.kind === 'conv') channels = l.filters;
    else if (l.kind === 'dense') channels = l.units;
    if (l.name === layer) return channels;
  }
  throw new RangeError(`no layer named '${layer}'`);
}

export async function synthesize(spec: ModelSpec, params: Params, opts: SynthesizeParams, hooks: SynthesisHooks = {}): Promise<Synthesis> {
  const channels = layerChannels(spec, opts.layer);
  if (!Number.isInteger(opts.channel) || opts.channel < 0 || opts.channel >= channels) {
    throw new RangeError(`channel ${opts.channel} is out of range for ${opts.layer} (0..${channels - 1})`);
  }
  const steps = Math.max(0, Math.floor(opts.steps ?? 64));
  const size = Math.max(16, Math.floor(opts.size ?? spec.inputSize));
  const lr = opts.learningRate ?? 0.05;
  const jitter = Math.max(0, Math.floor(opts.jitter ?? 8));
  const blurEvery = Math.max(0, Math.floor(opts.blurEvery ?? 4));
  const previewEvery = Math.max(0, Math.floor(opts.previewEvery ?? 8));
  // seeded (train/rng.ts's mulberry32) so that a synthesis can be repeated
  const rng = new Rng(opts.seed ?? 1);
  const random = () => rng.next();

  // Mean activation of the channel at `layer` for pixel images p ([1,S,S,3] in [0,1]).
  const channelMean = (layer: string) => (p: tf.Tensor) => {
    const act = forward(spec, params, pixelsToInput(spec, p as tf.Tensor4D), { upTo: layer }).output;
    return act.rank === 4
      ? tf.mean(tf.slice(act, [0, 0, 0, opts.channel], [-1, -1, -1, 1]))
      : tf.mean(tf.slice(act, [0, opts.channel], [-1, 1]));
  };
  // The ascent climbs the conv/dense output under the chosen layer: after a ReLU a grey start
  // image often gives a channel no activation at all, hence no gradient to follow.
  const pre = preActivationLayer(spec, opts.layer);
  const tfGradient = tf.grad(channelMean(pre));
  // ONNX Runtime: the network's part in one graph; the normalisation's (pixelsToInput) by tfjs autodiff
  const onnxPieces = (p: tf.Tensor4D) =>
    ortSynthesisPieces(spec, () => hostParamsOf(params), params, tf.tidy(() => pixelsToInput(spec, p).dataSync() as Float32Array), size, opts.layer, pre, opts.channel);
  const measure = async (p: tf.Tensor4D): Promise<number> =>
    hooks.onnx ? (await onnxPieces(p)).activation : tf.tidy(() => channelMean(opts.layer)(p).dataSync()[0]);
  const gradient = async (p: tf.Tensor4D): Promise<tf.Tensor4D> => {
    if (!hooks.onnx) return tf.tidy(() => tfGradient(p) as tf.Tensor4D);
    const gIn = tf.tensor4d((await onnxPieces(p)).gradient, [1, size, size, 3]);
    const g = tf.tidy(() => tf.grad((q: tf.Tensor) => tf.sum(tf.mul(pixelsToInput(spec, q as tf.Tensor4D), gIn)))(p) as tf.Tensor4D);
    gIn.dispose();
    return g;
  };

  let image: tf.Tensor4D = tf.tidy(() => tf.add(0.5, tf.randomUniform([1, size, size, 3], -0.05, 0.05, 'float32', opts.seed ?? 1)));
  try {
    const initialActivation = await measure(image);
    let activation = initialActivation;
    for (let step = 1; step <= steps; step++) {
      if (hooks.signal?.aborted) throw new SynthesisCancelled();
      const dy = randomInt(random, jitter);
      const dx = randomInt(random, jitter);
      const shifted = roll(image, dy, dx);
      const gShifted = await gradient(shifted);
      shifted.dispose();
      const next = tf.tidy(() => {
        const g = roll(gShifted, -dy, -dx);
        const scale = tf.add(tf.mean(tf.abs(g)), 1e-8);
        let updated: tf.Tensor4D = tf.add(image, tf.mul(lr, tf.div(g, scale)));
        if (blurEvery > 0 && step % blurEvery === 0) updated = blur(updated);
        return tf.clipByValue(updated, 0, 1);
      });
      gShifted.dispose();
      image.dispose();
      image = next;
      const wantPreview = hooks.onPreview && previewEvery > 0 && step % previewEvery === 0 && step < steps;
      if (wantPreview || step === steps) activation = await measure(image);
      if (wantPreview) hooks.onPreview!(step, steps, activation, pixelsToRgba(image));
      await hooks.onStep?.(step, steps, activation);
    }
    const finalActivation = steps > 0 ? activation : initialActivation;
    return { image: pixelsToRgba(image), initialActivation, finalActivation, steps };
  } finally {
    image.dispose();
  }
}

/** The conv or dense layer whose output `layer` derives from (ReLU, LRN, pooling keep channels). */
export function preActivationLayer(spec: ModelSpec, layer: string): string {
  const at = spec.layers.findIndex((l) => l.name === layer);
  for (let i = at; i >= 0; i--) {
    const l = spec.layers[i];
    if (l.kind === 'conv' || l.kind === 'dense') return l.name;
    if (l.kind === 'flatten') break;
  }
  return layer;
}

/** Circular shift along height and width. */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    const [, h, w] = x.shape;
    const sy = ((dy % h) + h) % h;
    const sx = ((dx % w) + w) % w;
    if (sy) y = tf.concat([tf.slice(y, [0, h - sy, 0, 0], [-1, sy, -1, -1]), tf.slice(y, [0, 0, 0, 0], [-1, h - sy, -1, -1])], 1);
    if (sx) y = tf.concat([tf.slice(y, [0, 0, w - sx, 0], [-1, -1, sx, -1]), tf.slice(y, [0, 0, 0, 0], [-1, -1, w - sx, -1])], 2);
    return y === x ? tf.clone(x) : y;
  });
}

/** 3x3 binomial blur per colour channel, edges reflected (no dark border). */
export function blur(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const k1 = [0.25, 0.5, 0.25];
    const taps: number[] = [];
    for (const a of k1) for (const b of k1) for (let c = 0; c < 3; c++) taps.push(a * b);
    const kernel = tf.tensor4d(taps, [3, 3, 3, 1]);
    const padded = tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect');
    return tf.depthwiseConv2d(padded, kernel, 1, 'valid');
  });
}

function randomInt(random: () => number, radius: number): number {
  return radius ? Math.floor(random() * (2 * radius + 1)) - radius : 0;
}
