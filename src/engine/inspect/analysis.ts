// One image run through the model once, with every inspectable layer's output kept, so that
// stepping through layers and channels in the views costs no further forward passes.
// The pass runs on the engine's ONNX Runtime session when it is ready (its graph has every
// inspectable layer as an extra output, and it is several times faster than tfjs's wasm here),
// on tfjs otherwise. Either way the activations are kept as plain Float32Arrays; the input stays
// a tf tensor because Grad-CAM and the crop preview work on it with tfjs.
// A few recent images are kept (the side panel and a feature-map panel may show different ones).
import * as tf from '@tensorflow/tfjs-core';
import { describe, inspectableLayers, type ModelSpec } from '../model/spec';
import { forward, type Params } from '../model/alexnet';
import type { OnnxRuntime } from '../onnx';
import type { InspectableLayer } from '../../protocol/engine/inspect';
import { channelMaps, type ChannelMaps, type HostActivation } from './featureMaps';

export interface InspectModel {
  spec: ModelSpec;
  params: Params;
  /** the same network on ONNX Runtime; used for the forward pass when it can return every layer */
  onnx?: OnnxRuntime;
}

/** Which runtime computed an analysis. */
export type AnalysisRuntime = 'onnx' | 'tfjs';

/** The layers an analysis keeps: every inspectable one but the softmax (the probabilities are kept apart). */
export function activationLayers(spec: ModelSpec): string[] {
  return inspectableLayers(spec).filter((n) => spec.layers.find((l) => l.name === n)?.kind !== 'softmax');
}

/** Whether `onnx` can return every activation an analysis of its model keeps. */
export function onnxCanAnalyse(onnx: OnnxRuntime | undefined, spec: ModelSpec): onnx is OnnxRuntime {
  if (!onnx) return false;
  const collectable = new Set(onnx.collectable);
  return activationLayers(spec).every((n) => collectable.has(n));
}

export class ImageAnalysis {
  private readonly maps = new Map<string, ChannelMaps>();
  private disposed = false;

  private constructor(
    readonly model: InspectModel,
    readonly key: string,
    /** [1,S,S,3], model-normalised */
    readonly input: tf.Tensor4D,
    private readonly activations: Map<string, HostActivation>,
    /** softmax over the classes */
    readonly probabilities: Float32Array,
    readonly runtime: AnalysisRuntime,
  ) {}

  /** Runs the whole network on `input` with tfjs (the input is taken over: disposed with the analysis). */
  static run(model: InspectModel, key: string, input: tf.Tensor4D): ImageAnalysis {
    const names = activationLayers(model.spec);
    // tidy keeps only the tensors it returns, so the collected outputs come back as a list.
    const [probs, ...kept] = tf.tidy(() => {
      const result = forward(model.spec, model.params, input, { collect: names, softmax: true });
      return [result.output, ...names.map((n) => result.activations.get(n)!)];
    });
    // Read outside tidy (tidy would walk returned typed arrays); a layer that passes its input
    // through (e.g. an adaptive pool already at size) is the same tensor twice, disposed once.
    const probabilities = probs.dataSync() as Float32Array;
    const activations = new Map(names.map((n, i) => [n, { shape: kept[i].shape, data: kept[i].dataSync() as Float32Array }] as const));
    for (const t of new Set([probs, ...kept])) t.dispose();
    return new ImageAnalysis(model, key, input, activations, probabilities, 'tfjs');
  }

  /**
   * The same on ONNX Runtime (`onnx` must collect every layer: see onnxCanAnalyse). The input is
   * taken over when this succeeds and stays the caller's when it throws.
   */
  static async runOnnx(model: InspectModel, key: string, input: tf.Tensor4D, onnx: OnnxRuntime): Promise<ImageAnalysis> {
    const result = await onnx.run(input.dataSync() as Float32Array, 1, { collect: activationLayers(model.spec) });
    return new ImageAnalysis(model, key, input, result.activations, result.probabilities, 'onnx');
  }

  /** ONNX Runtime when the model has a session that collects every layer, tfjs otherwise (or when it fails). */
  static async analyse(model: InspectModel, key: string, input: tf.Tensor4D): Promise<ImageAnalysis> {
    if (onnxCanAnalyse(model.onnx, model.spec)) {
      try {
        return await ImageAnalysis.runOnnx(model, key, input, model.onnx);
      } catch (err) {
        console.warn(`feature maps fall back to tfjs: ${(err as Error).message}`);
      }
    }
    return ImageAnalysis.run(model, key, input);
  }

  layerNames(): string[] {
    return [...this.activations.keys()];
  }

  /** One layer's output for the image: NHWC [1,h,w,c] or [1,units], as tfjs's forward() gives it. */
  activation(layer: string): HostActivation {
    const act = this.activations.get(layer);
    if (!act) throw new RangeError(`'${layer}' is not an inspectable layer (layers: ${this.layerNames().join(', ')})`);
    return act;
  }

  featureMaps(layer: string): ChannelMaps {
    let maps = this.maps.get(layer);
    if (!maps) {
      maps = channelMaps(this.activation(layer));
      this.maps.set(layer, maps);
    }
    return maps;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.input.dispose();
    this.activations.clear();
    this.maps.clear();
  }
}

/** Layers as the views list them, with output shapes from the spec. */
export function inspectableLayerList(spec: ModelSpec): InspectableLayer[] {
  const names = new Set(inspectableLayers(spec));
  return describe(spec)
    .filter((i) => names.has(i.layer.name))
    .map((i) => ({ name: i.layer.name, kind: i.layer.kind, outputShape: i.outputShape }));
}

/** A small most-recently-used cache of analyses; entries of another model are dropped. */
export class AnalysisCache {
  private entries: ImageAnalysis[] = [];
  /** analyses being computed, so that two requests for one image share a forward pass */
  private readonly pending = new Map<string, { params: Params; analysis: Promise<ImageAnalysis> }>();
  constructor(private readonly capacity = 3) {}

  async get(model: InspectModel, key: string, load: () => Promise<tf.Tensor4D>): Promise<ImageAnalysis> {
    this.entries = this.entries.filter((e) => (e.model.params === model.params ? true : (e.dispose(), false)));
    const hit = this.entries.find((e) => e.key === key);
    if (hit) {
      this.entries = [hit, ...this.entries.filter((e) => e !== hit)];
      return hit;
    }
    const inFlight = this.pending.get(key);
    if (inFlight?.params === model.params) return inFlight.analysis;
    const analysis = load().then((input) => ImageAnalysis.analyse(model, key, input));
    this.pending.set(key, { params: model.params, analysis });
    try {
      const done = await analysis;
      this.entries.unshift(done);
      for (const old of this.entries.splice(this.capacity)) old.dispose();
      return done;
    } finally {
      if (this.pending.get(key)?.analysis === analysis) this.pending.delete(key);
    }
  }

  clear(): void {
    for (const e of this.entries) e.dispose();
    this.entries = [];
  }
}
