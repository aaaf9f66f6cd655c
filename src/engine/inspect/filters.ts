// A conv layer's filters reordered for drawing: [filter][kh][kw][inPerGroup].
import * as tf from '@tensorflow/tfjs-core';
import type { ConvLayer, ModelSpec } from '../model/spec';
import type { Params } from '../model/alexnet';
import type { FilterBlock } from '../../protocol/engine/inspect';

export function convLayer(spec: ModelSpec, name: string): ConvLayer {
  const layer = spec.layers.find((l) => l.name === name);
  if (!layer || layer.kind !== 'conv') {
    const convs = spec.layers.filter((l) => l.kind === 'conv').map((l) => l.name);
    throw new RangeError(`'${name}' is not a conv layer of this model (conv layers: ${convs.join(', ')})`);
  }
  return layer;
}

export function filterBlock(spec: ModelSpec, params: Params, name: string, start = 0, count?: number): Omit<FilterBlock, 'ms'> {
  const layer = convLayer(spec, name);
  const first = Math.max(0, Math.min(Math.floor(start), layer.filters - 1));
  const n = Math.max(1, Math.min(Math.floor(count ?? layer.filters), layer.filters - first));
  const w = params[`${name}.weight`];
  const b = params[`${name}.bias`];
  const [weights, min, max, bias] = tf.tidy(() => {
    const slice = tf.slice(w, [0, 0, 0, first], [-1, -1, -1, n]);
    // HWIO -> OHWI: a filter's taps become one contiguous run.
    const ohwi = tf.transpose(slice, [3, 0, 1, 2]);
    return [ohwi.dataSync() as Float32Array, tf.min(w).dataSync()[0], tf.max(w).dataSync()[0], tf.slice(b, [first], [n]).dataSync() as Float32Array] as const;
  });
  return {
    layer: name,
    kernel: layer.kernel,
    stride: layer.stride,
    groups: layer.groups,
    inPerGroup: layer.inChannels / layer.groups,
    filters: layer.filters,
    start: first,
    count: n,
    weights: new Float32Array(weights),
    min,
    max,
    bias: new Float32Array(bias),
    channelOrder: name === spec.layers.find((l) => l.kind === 'conv')?.name ? (spec.normalisation.kind === 'caffe-bgr' ? 'bgr' : 'rgb') : undefined,
  };
}
