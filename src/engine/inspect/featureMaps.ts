// One layer's activation -> channel-major maps with per-channel statistics, the form the
// feature-map views draw from (each channel's map is one contiguous run of the array).
import type { ChannelMaps } from '../../protocol/engine/inspect';

export type { ChannelMaps };

/** A layer's output held in plain memory (from ONNX Runtime, or read once from a tf tensor). */
export interface HostActivation {
  /** NHWC [n,h,w,c] for spatial layers, [n,units] for flat ones */
  shape: readonly number[];
  data: Float32Array;
}

/** First item of an NHWC ([1,h,w,c]) or dense ([1,units]) activation. */
export function channelMaps(act: HostActivation): ChannelMaps {
  const shape = act.shape;
  const [height, width, channels] = shape.length === 4 ? [shape[1], shape[2], shape[3]] : [1, 1, shape[shape.length - 1]];
  const hwc = act.data;
  const plane = height * width;
  const data = new Float32Array(plane * channels);
  const channelMax = new Float32Array(channels).fill(-Infinity);
  const channelMin = new Float32Array(channels).fill(Infinity);
  const sums = new Float64Array(channels);
  // HWC -> CHW in one pass, gathering statistics on the way.
  for (let p = 0; p < plane; p++) {
    const src = p * channels;
    for (let c = 0; c < channels; c++) {
      const v = hwc[src + c];
      data[c * plane + p] = v;
      if (v > channelMax[c]) channelMax[c] = v;
      if (v < channelMin[c]) channelMin[c] = v;
      sums[c] += v;
    }
  }
  const channelMean = new Float32Array(channels);
  for (let c = 0; c < channels; c++) channelMean[c] = sums[c] / plane;
  return { height, width, channels, data, channelMax, channelMin, channelMean };
}

/** Channel indices ordered by mean activation, strongest first (ties: lower index first). */
export function channelsByMean(maps: Pick<ChannelMaps, 'channelMean'>, limit = Infinity): number[] {
  const idx = Array.from(maps.channelMean, (_, i) => i);
  idx.sort((a, b) => maps.channelMean[b] - maps.channelMean[a] || a - b);
  return idx.slice(0, Math.min(limit, idx.length));
}
