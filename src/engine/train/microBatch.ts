// Gradients of a big batch computed in slices. wasm32's heap stops at 4 GB: a full-network
// training step at batch 128 needs more (torchvision: batch 16 peaks near 2.3 GB of heap, 64 near
// 2.8 GB, and at 128 the step after the first crawled for minutes), so on wasm the batch is cut into slices
// whose gradients are summed, weighted by slice size: the same gradient as one pass over the
// batch (up to float rounding, and dropout masks drawn per slice).
import * as tf from '@tensorflow/tfjs-core';
import { describe, type ModelSpec } from '../model/spec';

/**
 * Layer outputs of one slice a wasm step may hold, in bytes. Measured peaks (RSS) at batch 128:
 * torchvision (4.4 MB of layer outputs per image) in slices of 64: 3.3 GB; paper (7.7 MB) in
 * slices of 64: 4.1 GB, at the heap's edge, in slices of 32: 3.4 GB.
 */
export const WASM_SLICE_BYTES = 300 * 2 ** 20;
/** Slices are powers of two up to this (bigger ones gained nothing measurable). */
export const WASM_MAX_SLICE = 64;

/**
 * The slice size of a training step: `batch` itself unless wasm trains the convolutions, then the
 * largest power of two whose layer outputs fit WASM_SLICE_BYTES (torchvision 64, paper/caffe 32).
 */
export function sliceSizeFor(backend: string, batch: number, convTrained: boolean, spec: ModelSpec): number {
  // Frozen convolutions keep no conv activations for the backward pass: the head alone is small.
  if (backend !== 'wasm' || !convTrained) return batch;
  const perImage = 4 * describe(spec).reduce((sum, l) => sum + l.outputShape.reduce((a, b) => a * b, 1), 0);
  let slice = 1;
  while (slice * 2 <= WASM_MAX_SLICE && slice * 2 * perImage <= WASM_SLICE_BYTES) slice *= 2;
  return Math.min(batch, slice);
}

export interface SlicedGrads {
  /** mean loss over the batch */
  value: tf.Scalar;
  /** d(mean loss)/d(variable), keyed by variable name */
  grads: tf.NamedTensorMap;
}

/**
 * lossOf(start, count, sliceIndex) returns the MEAN loss over examples [start, start+count);
 * the result is the mean over all n. Must be called outside tf.tidy's kept scope as variableGrads is.
 */
export function slicedVariableGrads(
  n: number,
  slice: number,
  lossOf: (start: number, count: number, sliceIndex: number) => tf.Scalar,
  varList?: tf.Variable[],
): SlicedGrads {
  if (!(slice >= 1) || !Number.isInteger(slice)) throw new RangeError(`slice must be a positive integer, got ${slice}`);
  if (n <= slice) return tf.variableGrads(() => lossOf(0, n, 0), varList);
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap | undefined;
  for (let start = 0, i = 0; start < n; start += slice, i++) {
    const count = Math.min(slice, n - start);
    const w = count / n;
    const part = tf.variableGrads(() => lossOf(start, count, i), varList);
    const next = tf.tidy(() => {
      const v = tf.mul(part.value, w) as tf.Scalar;
      const g: tf.NamedTensorMap = {};
      for (const [k, t] of Object.entries(part.grads)) g[k] = grads ? tf.add(grads[k], tf.mul(t, w)) : tf.mul(t, w);
      return { v: value ? (tf.add(value, v) as tf.Scalar) : v, g };
    });
    tf.dispose([part.value, ...Object.values(part.grads)]);
    if (value) value.dispose();
    if (grads) tf.dispose(Object.values(grads));
    value = next.v;
    grads = next.g;
  }
  return { value: value!, grads: grads! };
}
