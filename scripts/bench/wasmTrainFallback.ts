// Used by the bench only while the engine's own wasm kernels (backend/wasmKernels.ts) are not
// there: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so no training step can run on it.
// The filter gradient is a convolution of the input with the output gradient:
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-p, ow*s+kw-p, ci] * dy[n,oh,ow,co]
// i.e. a conv of x (channels as batch, batch as channels) with dy as the filter, dilated by s.
import * as tf from '@tensorflow/tfjs-core';

export function registerConv2DBackpropFilterFallback(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const { strides, pad, filterShape } = attrs as unknown as { strides: number | [number, number]; pad: number | 'valid' | 'same'; filterShape: [number, number, number, number] };
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      if (sh !== sw) throw new Error('Conv2DBackpropFilter fallback: unequal strides');
      const [kh, kw] = filterShape;
      let p: number;
      if (typeof pad === 'number') p = pad;
      else if (pad === 'valid') p = 0;
      else throw new Error(`Conv2DBackpropFilter fallback: pad ${String(pad)}`);
      return tf.tidy(() => {
        const xT = tf.transpose(x, [3, 1, 2, 0]); // [ci, H, W, n]
        const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
        const full = tf.conv2d(xT, dyT, 1, p, 'NHWC', sh); // [ci, >=kh, >=kw, co]
        const cut = tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
        return tf.transpose(cut, [1, 2, 0, 3]); // [kh, kw, ci, co]
      }) as unknown as tf.TensorInfo;
    },
  });
}
