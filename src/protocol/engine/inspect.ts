// Requests that look inside the model: filters, feature maps, Grad-CAM, filter synthesis
// (owned by the inspect feature). Tensors travel as typed arrays (the IPC channel uses
// 'advanced' serialization), never as JSON number arrays.
import type { ProgressEvent } from './events';
import type { Prediction } from './core';

/** An RGB picture as canvas ImageData wants it. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width*height*4 bytes, row-major, alpha 255 */
  rgba: Uint8ClampedArray;
}

/** A layer whose output can be looked at. */
export interface InspectableLayer {
  name: string;
  kind: string;
  /** [h, w, c] for spatial layers, [units] for dense ones */
  outputShape: number[];
}

export interface InspectImageResult {
  path: string;
  /** the centre crop exactly as the model sees it (after resize, de-normalised back to RGB) */
  input: RgbaImage;
  /** top 5 (fewer when the model has fewer classes) */
  predictions: Prediction[];
  layers: InspectableLayer[];
  /** conv layers (filters can be shown) */
  convLayers: string[];
  /** the layer Grad-CAM uses by default (last conv's ReLU) */
  camLayer: string;
  weightsLabel: string;
  untrained: boolean;
  /** what computed the activations and predictions, e.g. "ONNX Runtime (CPU, 2 threads)" or the tfjs backend's label */
  runtime: string;
  ms: number;
}

/**
 * Every channel of one layer for one image. `data` is channel-major [c][h][w] so that each
 * channel's map is a contiguous run (dense layers: h = w = 1, one "channel" per unit).
 */
export interface ChannelMaps {
  height: number;
  width: number;
  channels: number;
  /** [c][h][w] */
  data: Float32Array;
  channelMax: Float32Array;
  channelMin: Float32Array;
  channelMean: Float32Array;
}

export interface FeatureMaps extends ChannelMaps {
  path: string;
  layer: string;
  kind: string;
  /** as in InspectImageResult */
  runtime: string;
  ms: number;
}

export interface GradCamResult {
  path: string;
  layer: string;
  classIndex: number;
  label: string;
  probability: number;
  height: number;
  width: number;
  /** h*w, ReLU'd and scaled to [0, 1] (all zeros when nothing supports the class) */
  heatmap: Float32Array;
  /** the largest value before scaling (0: the class has no positive evidence here) */
  rawMax: number;
  ms: number;
}

/**
 * Filters of a conv layer, [count][kh][kw][inPerGroup] (each filter's taps contiguous; for
 * conv1 every tap is an RGB triple in the model's channel order, see `channelOrder`).
 */
export interface FilterBlock {
  layer: string;
  kernel: number;
  stride: number;
  groups: number;
  /** input channels each filter sees (inChannels / groups) */
  inPerGroup: number;
  /** filters in the layer */
  filters: number;
  start: number;
  count: number;
  weights: Float32Array;
  /** over the whole layer, for global scaling */
  min: number;
  max: number;
  bias: Float32Array;
  /** conv1 only: the colour order of its 3 input channels ('bgr' for Caffe weights) */
  channelOrder?: 'rgb' | 'bgr';
  ms: number;
}

export interface SynthesizeParams {
  layer: string;
  channel: number;
  /** gradient-ascent steps (default 64) */
  steps?: number;
  /** side of the synthesised square image (default: the model's input size) */
  size?: number;
  /** step size in pixel units [0,1] per normalised gradient (default 0.05) */
  learningRate?: number;
  /** random shift in pixels applied each step (default 8) */
  jitter?: number;
  /** Gaussian blur every this many steps (default 4; 0: never) */
  blurEvery?: number;
  seed?: number;
  /** send a preview event every this many steps (default 8; 0: none) */
  previewEvery?: number;
}

export interface SynthesizeResult {
  layer: string;
  channel: number;
  image: RgbaImage;
  /** the channel's mean activation on the start image and on the result */
  initialActivation: number;
  finalActivation: number;
  steps: number;
  ms: number;
}

/** Event sent during inspectSynthesize (besides 'progress'). */
export interface SynthPreviewEvent {
  kind: 'synthPreview';
  step: number;
  steps: number;
  activation: number;
  image: RgbaImage;
  [key: string]: unknown;
}

export interface InspectRequests {
  /** Decodes an image, runs the model once (cached for the requests below), top-5 and layer list. */
  inspectImage: { params: { path: string; topK?: number }; result: InspectImageResult; event: never };
  /** One layer's activations for an image. */
  inspectFeatureMaps: { params: { path: string; layer: string }; result: FeatureMaps; event: never };
  /** Grad-CAM for a class (default: the top class) at a layer (default: the last conv's ReLU). */
  inspectGradCam: { params: { path: string; classIndex?: number; layer?: string }; result: GradCamResult; event: never };
  /** A conv layer's filters (a range of them: deep layers are large). */
  inspectFilters: { params: { layer: string; start?: number; count?: number }; result: FilterBlock; event: never };
  /** "What excites this channel": gradient ascent on the input, with previews on the way. */
  inspectSynthesize: { params: SynthesizeParams; result: SynthesizeResult; event: ProgressEvent | SynthPreviewEvent };
}
