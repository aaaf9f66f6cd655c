// Random weights for ONNX tests: He-scaled weights and non-zero biases, so every layer (LRN
// included) works in its non-linear range. Needs a tfjs backend set (cpu is enough).
import * as tf from '@tensorflow/tfjs-core';
import { paramShapes, type ModelSpec } from '../../src/engine/model/spec';
import type { HostParam } from '../../src/engine/onnx';

export function randomHostParams(spec: ModelSpec, seed: number): Record<string, HostParam> {
  const out: Record<string, HostParam> = {};
  let s = seed;
  for (const p of paramShapes(spec)) {
    const fanIn = p.shape.length === 4 ? p.shape[0] * p.shape[1] * p.shape[2] : p.shape[0];
    const std = p.shape.length === 1 ? 0.1 : Math.sqrt(2 / fanIn);
    out[p.name] = { shape: p.shape, data: tf.tidy(() => tf.randomNormal(p.shape, 0, std, 'float32', s++).dataSync() as Float32Array) };
  }
  return out;
}
