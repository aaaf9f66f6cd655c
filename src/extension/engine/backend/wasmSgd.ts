// The momentum-SGD update as one pass over the wasm heap. Written with tfjs ops it takes five
// elementwise kernels, each allocating a weight-sized temporary; on fc6 (37.7M weights) those took
// 57% of a batch-16 training step's kernel time (`npm run bench -- --profile-train`). Here one
// loop reads w, v and g once and writes new w and v (new tensors, so tensors sharing the old data
// keep their values).
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type HeapBackend } from './wasmKernels';

export interface MomentumStep {
  momentum: number;
  /** weight decay times learning rate */
  decay: number;
  lr: number;
}

/**
 * v' = momentum * v - decay * w - lr * g;  w' = w + v'.
 * Undefined when the active backend is not wasm (callers then use tfjs ops).
 */
export function wasmMomentumStep(w: tf.Tensor, v: tf.Tensor, g: tf.Tensor, step: MomentumStep): { w: tf.Tensor; v: tf.Tensor } | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  if (w.dtype !== 'float32' || v.dtype !== 'float32' || g.dtype !== 'float32') return undefined;
  if (w.size !== v.size || w.size !== g.size) throw new Error(`momentum step: sizes differ (w ${w.size}, v ${v.size}, g ${g.size})`);
  const b = tf.backend() as HeapBackend;
  const wOut = b.makeOutput(w.shape, 'float32');
  const vOut = b.makeOutput(w.shape, 'float32');
  // views after makeOutput: its malloc may have grown the memory
  const W = heapF32(b, w as unknown as TensorInfo);
  const V = heapF32(b, v as unknown as TensorInfo);
  const G = heapF32(b, g as unknown as TensorInfo);
  const W2 = heapF32(b, wOut);
  const V2 = heapF32(b, vOut);
  const { momentum, decay, lr } = step;
  for (let i = 0; i < W.length; i++) {
    const vn = momentum * V[i] - decay * W[i] - lr * G[i];
    V2[i] = vn;
    W2[i] = W[i] + vn;
  }
  const engine = tf.engine();
  return { w: engine.makeTensorFromTensorInfo(wOut, b), v: engine.makeTensorFromTensorInfo(vOut, b) };
}
