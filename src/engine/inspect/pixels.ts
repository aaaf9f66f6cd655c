// Between RGB pixels in [0, 1] and the model's input space, as tensors, so that gradients
// (filter synthesis) can flow through the normalisation and the crop can be shown again.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../model/spec';

/** RGB in [0,1], NHWC -> the model's normalised input (BGR 0..255 minus mean for Caffe). */
export function pixelsToInput(spec: ModelSpec, rgb01: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = spec.normalisation;
    if (n.kind === 'imagenet-rgb') {
      return tf.div(tf.sub(rgb01, tf.tensor1d(n.mean)), tf.tensor1d(n.std)) as tf.Tensor4D;
    }
    const bgr = tf.reverse(rgb01, 3);
    return tf.sub(tf.mul(bgr, 255), tf.tensor1d(n.mean)) as tf.Tensor4D;
  });
}

/** The inverse of pixelsToInput (not clipped). */
export function inputToPixels(spec: ModelSpec, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = spec.normalisation;
    if (n.kind === 'imagenet-rgb') {
      return tf.add(tf.mul(x, tf.tensor1d(n.std)), tf.tensor1d(n.mean)) as tf.Tensor4D;
    }
    return tf.reverse(tf.div(tf.add(x, tf.tensor1d(n.mean)), 255), 3) as tf.Tensor4D;
  });
}

/** First image of an NHWC RGB [0,1] batch as RGBA bytes (what a canvas ImageData wants). */
export function pixelsToRgba(rgb01: tf.Tensor4D): { width: number; height: number; rgba: Uint8ClampedArray } {
  const [, height, width] = rgb01.shape;
  const scaled = tf.tidy(() => tf.mul(tf.clipByValue(tf.slice(rgb01, [0, 0, 0, 0], [1, -1, -1, 3]), 0, 1), 255));
  const rgb = scaled.dataSync();
  scaled.dispose();
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    rgba[i * 4] = rgb[j];
    rgba[i * 4 + 1] = rgb[j + 1];
    rgba[i * 4 + 2] = rgb[j + 2];
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
