// One image run through the model once, with every inspectable layer's output kept, so that
// stepping through layers and channels in the views costs no further forward passes.
// A few recent images are kept (the side panel and a feature-map panel may show different ones).
import * as tf from '@tensorflow/tfjs-core';
import { describe, inspectableLayers, type ModelSpec } from '../model/spec';
import { forward, type Params } from '../model/alexnet';
import type { InspectableLayer } from '../protocol/inspect';
import { channelMaps, type ChannelMaps } from './featureMaps';

export interface InspectModel {
  spec: ModelSpec;
  params: Params;
}

export class ImageAnalysis {
  private readonly maps = new Map<string, ChannelMaps>();
  private disposed = false;

  private constructor(
    readonly model: InspectModel,
    readonly key: string,
    /** [1,S,S,3], model-normalised */
    readonly input: tf.Tensor4D,
    private readonly activations: Map<string, tf.Tensor>,
    /** softmax over the classes */
    readonly probabilities: Float32Array,
  ) {}

  /** Runs the whole network on `input` (taken over: disposed with the analysis). */
  static run(model: InspectModel, key: string, input: tf.Tensor4D): ImageAnalysis {
    const names = inspectableLayers(model.spec).filter((n) => model.spec.layers.find((l) => l.name === n)?.kind !== 'softmax');
    // tidy keeps only the tensors it returns, so the collected outputs come back as a list.
    const [probs, ...kept] = tf.tidy(() => {
      const result = forward(model.spec, model.params, input, { collect: names, softmax: true });
      return [result.output, ...names.map((n) => result.activations.get(n)!)];
    });
    const probabilities = new Float32Array(probs.dataSync());
    probs.dispose();
    const activations = new Map(names.map((n, i) => [n, kept[i]] as const));
    return new ImageAnalysis(model, key, input, activations, probabilities);
  }

  layerNames(): string[] {
    return [...this.activations.keys()];
  }

  activation(layer: string): tf.Tensor {
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
    for (const t of this.activations.values()) t.dispose();
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
  constructor(private readonly capacity = 3) {}

  async get(model: InspectModel, key: string, load: () => Promise<tf.Tensor4D>): Promise<ImageAnalysis> {
    this.entries = this.entries.filter((e) => (e.model.params === model.params ? true : (e.dispose(), false)));
    const hit = this.entries.find((e) => e.key === key);
    if (hit) {
      this.entries = [hit, ...this.entries.filter((e) => e !== hit)];
      return hit;
    }
    const analysis = ImageAnalysis.run(model, key, await load());
    this.entries.unshift(analysis);
    for (const old of this.entries.splice(this.capacity)) old.dispose();
    return analysis;
  }

  clear(): void {
    for (const e of this.entries) e.dispose();
    this.entries = [];
  }
}
