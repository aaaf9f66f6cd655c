// Scratch-mode initialisations. Without normalisation layers AlexNet is sensitive to its init on
// small data (issue 13): the paper's N(0, 0.01) with biases of 1 stays at chance with plain SGD, He
// init diverges at SGD lr 0.01 and 0.001; PyTorch's default (what torchvision's AlexNet gets) is what
// learns with Adam, so the small-data preset uses it.
import * as tf from '@tensorflow/tfjs-core';
import { heInit, paperInit, type Params } from '../model/alexnet';
import { paramShapes, type ModelSpec } from '../model/spec';
import type { InitName } from '../../protocol/engine/train';

/** fan-in of a canonical parameter shape (conv HWIO, dense [in, out]) */
export function fanIn(shape: number[]): number {
  return shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
}

/**
 * PyTorch's default for Conv2d/Linear: weights kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Each parameter has its own seed.
 */
export function pytorchDefaultInit(spec: ModelSpec, seed: number): Params {
  const params: Params = {};
  const shapes = paramShapes(spec);
  const weightOf = new Map(shapes.filter((p) => p.name.endsWith('.weight')).map((p) => [p.name.split('.')[0], p.shape]));
  shapes.forEach((p, i) => {
    const w = weightOf.get(p.name.split('.')[0]) ?? p.shape;
    const bound = 1 / Math.sqrt(fanIn(w));
    params[p.name] = tf.randomUniform(p.shape, -bound, bound, 'float32', seed + i);
  });
  return params;
}

export function scratchInit(init: InitName, spec: ModelSpec, seed: number): { params: Params; label: string } {
  if (init === 'pytorch') return { params: pytorchDefaultInit(spec, seed), label: 'random (PyTorch default init)' };
  if (init === 'he') return { params: heInit(spec, seed), label: 'random (He init)' };
  return { params: paperInit(spec, seed), label: 'random (paper init)' };
}
