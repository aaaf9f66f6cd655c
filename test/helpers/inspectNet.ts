// Tiny hand-built AlexNets with known answers for the inspect tests (no weight files needed).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeSpec, paramShapes, type ModelSpec } from '../../src/engine/model/spec';
import type { Params } from '../../src/engine/model/alexnet';
import { pixelsToInput } from '../../src/engine/inspect/pixels';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * torchvision layout with 2 channels everywhere. conv1's filter 0 answers "red minus green",
 * filter 1 "green minus red"; conv2..conv5 pass each channel straight through (centre tap 1);
 * fc6 unit k averages channel k over all 36 positions; fc7 and fc8 are identities.
 * So class 0 is "how much red" and class 1 "how much green".
 */
export function redGreenNet(): { spec: ModelSpec; params: Params } {
  const spec = makeSpec('torchvision', { convChannels: [2, 2, 2, 2, 2], fcUnits: [2, 2], numClasses: 2 });
  const params: Params = {};
  for (const p of paramShapes(spec)) {
    const [layer, kind] = p.name.split('.');
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (kind === 'weight') {
      if (layer === 'conv1') {
        const [kh, kw, ci, co] = p.shape;
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++)
            for (let o = 0; o < co; o++) {
              const base = ((y * kw + x) * ci) * co + o;
              const sign = o === 0 ? 1 : -1;
              values[base + 0 * co] = sign / (kh * kw); // R
              values[base + 1 * co] = -sign / (kh * kw); // G
            }
      } else if (layer.startsWith('conv')) {
        const [kh, kw, ci, co] = p.shape;
        const cy = (kh - 1) / 2;
        const cx = (kw - 1) / 2;
        for (let c = 0; c < Math.min(ci, co); c++) values[((cy * kw + cx) * ci + c) * co + c] = 1;
      } else if (layer === 'fc6') {
        const [inUnits, units] = p.shape;
        for (let i = 0; i < inUnits; i++) values[i * units + (i % 2)] = 1 / 36;
      } else {
        const [inUnits, units] = p.shape;
        for (let i = 0; i < Math.min(inUnits, units); i++) values[i * units + i] = 1;
      }
    }
    params[p.name] = tf.tensor(values, p.shape);
  }
  return { spec, params };
}

/** A model-normalised input whose left half is pure red and right half pure green. */
export function redLeftGreenRight(spec: ModelSpec): tf.Tensor4D {
  const s = spec.inputSize;
  const rgb = new Float32Array(s * s * 3);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) rgb[(y * s + x) * 3 + (x < s / 2 ? 0 : 1)] = 1;
  return tf.tidy(() => pixelsToInput(spec, tf.tensor4d(rgb, [1, s, s, 3])));
}

/** A reduced-width variant with random weights (std chosen so activations stay lively). */
export function randomNet(variant: 'paper' | 'caffe' | 'torchvision', seed = 7): { spec: ModelSpec; params: Params } {
  const spec = makeSpec(variant, { convChannels: [8, 12, 16, 16, 12], fcUnits: [24, 24], numClasses: 10 });
  const params: Params = {};
  let s = seed;
  for (const p of paramShapes(spec)) {
    const fanIn = p.shape.length === 1 ? 1 : p.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    params[p.name] = p.shape.length === 1 ? tf.randomUniform(p.shape, -0.1, 0.1, 'float32', s++) : tf.randomNormal(p.shape, 0, Math.sqrt(2 / fanIn), 'float32', s++);
  }
  return { spec, params };
}

/** A random natural-ish input: smooth blobs plus noise, model-normalised. */
export function randomInput(spec: ModelSpec, seed = 3): tf.Tensor4D {
  return tf.tidy(() => {
    const s = spec.inputSize;
    const coarse = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
    const smooth = tf.image.resizeBilinear(coarse, [s, s]);
    const pixels = tf.clipByValue(tf.add(smooth, tf.randomUniform([1, s, s, 3], -0.1, 0.1, 'float32', seed + 1)), 0, 1);
    return pixelsToInput(spec, pixels as tf.Tensor4D);
  });
}
