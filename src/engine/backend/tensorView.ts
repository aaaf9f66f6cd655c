// A tensor's float32 values for writing out (checkpoints). On wasm, a view on the heap: dataSync
// would copy every weight into fresh JS memory first, page-faulting in hundreds of MB per
// checkpoint. The view is valid while the tensor lives and no kernel writes to it: read it before
// the next training step.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type HeapBackend } from './wasmKernels';

export function float32View(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') return heapF32(tf.backend() as HeapBackend, t as unknown as TensorInfo);
  return t.dataSync() as Float32Array;
}
