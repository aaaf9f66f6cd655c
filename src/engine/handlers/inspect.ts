// Inspection request handlers: feature maps, Grad-CAM, filters, filter synthesis (owned by the
// inspect feature). An image is run through the model once and every layer's output is kept
// (AnalysisCache), so stepping through layers in the views costs no further forward passes.
// That pass runs on the engine's ONNX Runtime session when it is ready; Grad-CAM and filter
// synthesis run their gradient graphs on ONNX Runtime too (inspect/ortGradients.ts) whenever the
// engine's inference does, tfjs otherwise.
import * as tf from '@tensorflow/tfjs-core';
import { stat } from 'node:fs/promises';
import type { Handler, RequestContext } from './context';
import { EngineFailure, throwIfCancelled, yieldToEventLoop } from './context';
import type { InspectRequests, SynthPreviewEvent } from '../../protocol/engine/inspect';
import type { Engine } from '../engine';
import { isImageDecodeError, preprocessFile } from '../image';
import { AnalysisCache, inspectableLayerList, type ImageAnalysis, type InspectModel } from '../inspect/analysis';
import { filterBlock } from '../inspect/filters';
import { defaultCamLayer, gradCam, gradCamOnnx } from '../inspect/gradcam';
import { inputToPixels, pixelsToRgba } from '../inspect/pixels';
import { synthesize, SynthesisCancelled } from '../inspect/synthesize';

type InspectHandlers = { [M in keyof InspectRequests]: Handler<M> };

/** The cached analysis of `path` under the current model (a changed file is analysed again). */
async function analyse(engine: Engine, analyses: AnalysisCache, path: string, ctx: RequestContext): Promise<ImageAnalysis> {
  const loaded = engine.requireModel();
  // The session is left out when inference is pinned to tfjs after it was built.
  const model: InspectModel = { spec: loaded.spec, params: loaded.params, onnx: engine.inferenceRuntime === 'auto' ? loaded.onnx : undefined };
  let key: string;
  try {
    const st = await stat(path);
    key = `${path}\0${st.mtimeMs}\0${st.size}`;
  } catch (err) {
    throw new EngineFailure(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`, 'bad-input');
  }
  return analyses.get(model, key, async () => {
    let input;
    try {
      input = await preprocessFile(path, model.spec);
    } catch (err) {
      if (isImageDecodeError(err)) throw new EngineFailure(err.message, err.code);
      throw err;
    }
    throwIfCancelled(ctx.signal);
    return tf.tensor4d(input.data, input.shape);
  });
}

/** What computed an analysis, as the responses report it. */
function runtimeLabel(engine: Engine, analysis: ImageAnalysis): string {
  return analysis.runtime === 'onnx' ? engine.inferenceLabel() : engine.backend?.label ?? `TensorFlow.js (${tf.getBackend()})`;
}

async function asBadInputAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RangeError) throw new EngineFailure(err.message, 'bad-input');
    throw err;
  }
}

/** Bad names and indices from the views are the caller's mistake, not an engine bug. */
function asBadInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new EngineFailure(err.message, 'bad-input');
    throw err;
  }
}

/**
 * The inspect handlers on `engine`. `analyses` keeps the last images' per-layer outputs (pass
 * one to clear it, as tests do); it drops entries of a replaced model by itself.
 */
export const createInspectHandlers = (engine: Engine, analyses = new AnalysisCache(3)): InspectHandlers => ({
  async inspectImage({ path, topK }, ctx) {
    const t0 = performance.now();
    const analysis = await analyse(engine, analyses, path, ctx);
    const { spec, status } = engine.requireModel();
    const pixels = tf.tidy(() => inputToPixels(spec, analysis.input));
    const input = pixelsToRgba(pixels);
    pixels.dispose();
    return {
      path,
      input,
      predictions: engine.topK(analysis.probabilities, 0, topK ?? 5),
      layers: inspectableLayerList(spec).filter((l) => l.kind !== 'softmax'),
      convLayers: spec.layers.filter((l) => l.kind === 'conv').map((l) => l.name),
      camLayer: defaultCamLayer(spec),
      weightsLabel: status.weightsLabel,
      untrained: status.untrained,
      runtime: runtimeLabel(engine, analysis),
      ms: Math.round(performance.now() - t0),
    };
  },

  async inspectFeatureMaps({ path, layer }, ctx) {
    const t0 = performance.now();
    const analysis = await analyse(engine, analyses, path, ctx);
    const maps = asBadInput(() => analysis.featureMaps(layer));
    const kind = engine.requireModel().spec.layers.find((l) => l.name === layer)?.kind ?? 'unknown';
    // Copies: the cached arrays stay intact whatever the transport does with these.
    return {
      path,
      layer,
      kind,
      runtime: runtimeLabel(engine, analysis),
      height: maps.height,
      width: maps.width,
      channels: maps.channels,
      data: maps.data.slice(),
      channelMax: maps.channelMax.slice(),
      channelMin: maps.channelMin.slice(),
      channelMean: maps.channelMean.slice(),
      ms: Math.round(performance.now() - t0),
    };
  },

  async inspectGradCam({ path, classIndex, layer }, ctx) {
    const t0 = performance.now();
    const analysis = await analyse(engine, analyses, path, ctx);
    const { spec, params, status, onnx } = engine.requireModel();
    const cam = onnx && engine.inferenceRuntime === 'auto'
      ? await asBadInputAsync(() => gradCamOnnx(spec, params, analysis.input, classIndex, layer))
      : asBadInput(() => gradCam(spec, params, analysis.input, classIndex, layer));
    return {
      path,
      layer: cam.layer,
      classIndex: cam.classIndex,
      label: status.classNames[cam.classIndex] ?? `class ${cam.classIndex}`,
      probability: cam.probabilities[cam.classIndex],
      height: cam.height,
      width: cam.width,
      heatmap: cam.heatmap,
      rawMax: cam.rawMax,
      ms: Math.round(performance.now() - t0),
    };
  },

  async inspectFilters({ layer, start, count }) {
    const t0 = performance.now();
    const { spec, params } = engine.requireModel();
    const block = asBadInput(() => filterBlock(spec, params, layer, start, count));
    return { ...block, ms: Math.round(performance.now() - t0) };
  },

  async inspectSynthesize(params, ctx) {
    const t0 = performance.now();
    const model = engine.requireModel();
    try {
      const result = await synthesize(model.spec, model.params, params, {
        onnx: !!model.onnx && engine.inferenceRuntime === 'auto',
        signal: ctx.signal,
        onStep: async (step, steps) => {
          ctx.progress(step, steps, `${params.layer} channel ${params.channel}: step ${step}/${steps}`);
          // Lets a 'cancel' message in between steps.
          await yieldToEventLoop();
        },
        onPreview: (step, steps, activation, image) => {
          const event: SynthPreviewEvent = { kind: 'synthPreview', step, steps, activation, image };
          ctx.emit(event);
        },
      });
      return { layer: params.layer, channel: params.channel, ...result, ms: Math.round(performance.now() - t0) };
    } catch (err) {
      if (err instanceof SynthesisCancelled) throw new EngineFailure('Cancelled', 'cancelled');
      if (err instanceof RangeError) throw new EngineFailure(err.message, 'bad-input');
      throw err;
    }
  },
});
