// The momentum-SGD update as one pass over the wasm heap. Written with tfjs ops it takes five
// elementwise kernels, each allocating a weight-sized temporary; on fc6 (37.7M weights) those took
// 57% of a batch-16 training step's kernel time (`npm run bench -- --profile-train`). Here one
// loop reads w, v and g once and writes new w and v (new tensors, so tensors sharing the old data
// keep their values); big tensors are split with a helper thread (heapHelper.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { HeapBackend } from './wasmKernels';
import { momentumUpdate } from './heapHelper';

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
  // the buffer after makeOutput: its malloc may have grown the memory
  const heap = b.wasm.wasmMemory?.buffer ?? b.wasm.HEAPU8.buffer;
  const at = (t: TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
  momentumUpdate(
    { heap, w: at(w as unknown as TensorInfo), v: at(v as unknown as TensorInfo), g: at(g as unknown as TensorInfo), w2: at(wOut), v2: at(vOut), n: w.size },
    step.momentum,
    step.decay,
    step.lr,
  );
  const engine = tf.engine();
  return { w: engine.makeTensorFromTensorInfo(wOut, b), v: engine.makeTensorFromTensorInfo(vOut, b) };
}
