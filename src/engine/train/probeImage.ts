// The probe image (probeFiles.ts: probe.json names it): its top-5 and Grad-CAM with an epoch's
// weights. One image once an epoch: cheap next to validation.
import * as tf from '@tensorflow/tfjs-core';
import type { ProbeRecordFile } from '../../protocol/engine/train';
import type { ModelSpec } from '../model/spec';
import type { Params } from '../model/alexnet';
import type { HostTensor } from '../weights/hostTensor';
import { camFromPieces, defaultCamLayer, gradCam, type GradCam } from '../inspect/gradcam';
import { buildCamModel, camPiecesOn } from '../inspect/ortGradients';
import { createTrainingSession } from '../onnx/train/session';
import { centreCrop, cropNormalise } from './augment';
import { ImageSource } from './loader';
import { topClasses } from './valRecord';

export const PROBE_TOP = 5;

/**
 * Top-5 and Grad-CAM of `image` (centre crop, as validation) for its top-1 class. `host` is every
 * parameter (frozen/probe runs: the trained layers plus the base weights). ONNX Runtime builds a
 * one-off gradient graph with the weights baked in, released after; else tfjs.
 */
export async function computeProbe(opts: {
  spec: ModelSpec; host: Record<string, HostTensor>; image: string; epoch: number; classNames: string[]; runtime: 'onnx' | 'tfjs';
}): Promise<ProbeRecordFile> {
  const { spec, host, image, epoch, classNames, runtime } = opts;
  const S = spec.inputSize;
  const img = await new ImageSource(spec.resizeTo, 0).load(image).catch((e: { reason?: string; message?: string }) => {
    throw new Error(`the probe image cannot be read: ${e.reason ?? e.message}`);
  });
  const x = new Float32Array(S * S * 3);
  cropNormalise(img, S, centreCrop(img, S), spec.normalisation, x, 0);
  const layer = defaultCamLayer(spec);
  let cam: GradCam;
  if (runtime === 'onnx') {
    const m = buildCamModel(spec, host, layer);
    // its own session, not inspect's cache: the weights change every epoch
    const session = await createTrainingSession(m.bytes, 'cpu');
    try {
      cam = camFromPieces(layer, await camPiecesOn(session, m, spec, x));
    } finally {
      await session.release();
    }
  } else {
    const params: Params = {};
    for (const [name, t] of Object.entries(host)) params[name] = tf.tensor(t.data, t.shape, 'float32');
    const input = tf.tensor4d(x, [1, S, S, 3]);
    try {
      cam = gradCam(spec, params, input);
    } finally {
      input.dispose();
      tf.dispose(Object.values(params));
    }
  }
  return {
    version: 1, epoch, image, classNames,
    top: topClasses(cam.probabilities, PROBE_TOP),
    classIndex: cam.classIndex, layer, height: cam.height, width: cam.width,
    heatmap: Array.from(cam.heatmap, (v) => Math.round(v * 1000) / 1000),
    cropFraction: S / spec.resizeTo,
    runtime,
  };
}

