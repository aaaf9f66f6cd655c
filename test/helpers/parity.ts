// Shared by the parity test and scripts/parity-full.ts: the fixture input, the PyTorch references
// in the tfjs layout, and the per-layer comparison.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { forward } from '../../src/engine/model/alexnet';
import type { ModelSpec } from '../../src/engine/model/spec';
import type { HostTensor } from '../../src/engine/weights/hostTensor';
import { readNpy, readNpz } from '../../src/engine/weights/npy';

/** The fixture's normalised input, NHWC float32, computed as make_parity.py does (float32 steps). */
export function fixtureInput(dir: string, spec: ModelSpec): tf.Tensor4D {
  const px = readNpy(readFileSync(join(dir, 'pixels.npy')));
  if (px.kind !== 'numeric') throw new Error('pixels.npy is not numeric');
  const [n, h, w] = px.tensor.shape;
  const f = Math.fround;
  const size = spec.inputSize;
  const off = spec.normalisation.kind === 'imagenet-rgb' ? (h - size) >> 1 : 0; // torchvision: centre 224 of 227
  const out = new Float32Array(n * size * size * 3);
  const norm = spec.normalisation;
  for (let i = 0; i < n; i++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const o = ((i * size + y) * size + x) * 3 + c;
          if (norm.kind === 'caffe-bgr') {
            // BGR channel c is RGB channel 2-c
            out[o] = f(px.tensor.data[((i * h + y + off) * w + x + off) * 3 + (2 - c)] - norm.mean[c]);
          } else {
            const v = f(px.tensor.data[((i * h + y + off) * w + x + off) * 3 + c] / 255);
            out[o] = f(f(v - f(norm.mean[c])) / f(norm.std[c]));
          }
        }
  return tf.tensor4d(out, [n, size, size, 3]);
}

/** PyTorch's activations by layer name, moved to the tfjs layout (NCHW -> NHWC; flatten C,H,W -> H,W,C). */
export function referenceActivations(npzPath: string): Map<string, HostTensor> {
  const raw = readNpz(readFileSync(npzPath));
  const out = new Map<string, HostTensor>();
  let lastSpatial: number[] | undefined;
  const names = Object.keys(raw);
  for (const name of names) {
    const v = raw[name];
    if (v.kind !== 'numeric') throw new Error(`${name} is not numeric`);
    const t = v.tensor;
    if (t.shape.length === 4) {
      const [n, c, h, w] = t.shape;
      lastSpatial = [c, h, w];
      const d = new Float32Array(t.data.length);
      for (let i = 0; i < n; i++)
        for (let cc = 0; cc < c; cc++)
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++) d[((i * h + y) * w + x) * c + cc] = t.data[((i * c + cc) * h + y) * w + x];
      out.set(name, { shape: [n, h, w, c], data: d });
    } else if (name === 'flatten') {
      if (!lastSpatial) throw new Error('flatten before any spatial layer');
      const [c, h, w] = lastSpatial;
      const n = t.shape[0];
      const d = new Float32Array(t.data.length);
      for (let i = 0; i < n; i++)
        for (let cc = 0; cc < c; cc++)
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[i * c * h * w + (y * w + x) * c + cc] = t.data[i * c * h * w + (cc * h + y) * w + x];
      out.set(name, { shape: t.shape, data: d });
    } else {
      out.set(name, t);
    }
  }
  return out;
}

export interface LayerError {
  layer: string;
  maxAbsError: number;
  scale: number;
  /** maxAbsError / scale */
  relative: number;
}

/** Runs the forward pass with every layer collected and compares each with its reference. */
export function compareWithReference(spec: ModelSpec, params: Record<string, HostTensor>, input: tf.Tensor4D, refs: Map<string, HostTensor>): LayerError[] {
  const tparams: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(params)) tparams[k] = tf.tensor(v.data, v.shape);
  const errors: LayerError[] = [];
  try {
    const names = spec.layers.filter((l) => l.kind !== 'dropout').map((l) => l.name);
    const missing = names.filter((n) => !refs.has(n));
    if (missing.length) throw new Error(`no reference for ${missing.join(', ')}`);
    tf.tidy(() => {
    const { activations } = forward(spec, tparams, input, { collect: names, softmax: true });
    for (const name of names) {
      const got = activations.get(name);
      const ref = refs.get(name)!;
      if (!got) throw new Error(`forward did not produce ${name}`);
      if (got.shape.join() !== ref.shape.join()) throw new Error(`${name}: shape [${got.shape}] vs reference [${ref.shape}]`);
      const g = got.dataSync();
      let maxErr = 0;
      let scale = 0;
      for (let i = 0; i < g.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(g[i] - ref.data[i]));
        scale = Math.max(scale, Math.abs(ref.data[i]));
      }
      errors.push({ layer: name, maxAbsError: maxErr, scale, relative: maxErr / Math.max(scale, 1e-30) });
    }
    });
  } finally {
    for (const t of Object.values(tparams)) t.dispose();
  }
  return errors;
}
