// The three AlexNet variants as data: every other part (the tfjs model, the weight
// loaders, the architecture view, `alexnet info`, the ONNX builder) reads this, so
// a layer's shape is written down once.
//
// Canonical parameter layout (what the tfjs model consumes, and what our safetensors hold):
//   conv   <name>.weight  [kh, kw, inChannels / groups, filters]   (HWIO)
//   dense  <name>.weight  [inUnits, units]                          ([in, out])
//   any    <name>.bias    [filters | units]
// fc6's inputs are in TensorFlow's H,W,C flatten order (PyTorch's are C,H,W; the loaders reorder).

import { VARIANTS, type VariantName } from '../../protocol/engine/model';
export { VARIANTS, type VariantName };

export interface ConvLayer {
  kind: 'conv';
  name: string;
  filters: number;
  kernel: number;
  stride: number;
  pad: number;
  groups: number;
  inChannels: number;
}
export interface ReluLayer { kind: 'relu'; name: string }
/** PyTorch's nn.LocalResponseNorm(size, alpha, beta, k) semantics (alpha is divided by size). */
export interface LrnLayer { kind: 'lrn'; name: string; size: number; alpha: number; beta: number; k: number }
export interface MaxPoolLayer { kind: 'maxpool'; name: string; size: number; stride: number }
export interface AdaptiveAvgPoolLayer { kind: 'adaptiveavgpool'; name: string; size: number }
export interface FlattenLayer { kind: 'flatten'; name: string }
export interface DropoutLayer { kind: 'dropout'; name: string; rate: number }
export interface DenseLayer { kind: 'dense'; name: string; units: number; inUnits: number }
export interface SoftmaxLayer { kind: 'softmax'; name: string }

export type Layer =
  | ConvLayer | ReluLayer | LrnLayer | MaxPoolLayer | AdaptiveAvgPoolLayer
  | FlattenLayer | DropoutLayer | DenseLayer | SoftmaxLayer;

export type Normalisation =
  /** torchvision: RGB in [0,1], (x - mean) / std */
  | { kind: 'imagenet-rgb'; mean: [number, number, number]; std: [number, number, number] }
  /** Caffe: BGR in [0,255], x - mean (mean given in B,G,R order) */
  | { kind: 'caffe-bgr'; mean: [number, number, number] };

export interface ModelSpec {
  variant: VariantName;
  inputSize: number; // square input, pixels
  resizeTo: number; // shorter side is resized to this before the centre crop
  normalisation: Normalisation;
  layers: Layer[];
  numClasses: number;
}

export interface SpecOptions {
  /** conv1..conv5 filter counts (default: the variant's own) */
  convChannels?: [number, number, number, number, number];
  /** fc6, fc7 widths (default 4096, 4096) */
  fcUnits?: [number, number];
  /** fc8 width (default 1000) */
  numClasses?: number;
}

export const IMAGENET_RGB: Normalisation = {
  kind: 'imagenet-rgb',
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};
export const CAFFE_BGR: Normalisation = { kind: 'caffe-bgr', mean: [104, 117, 124] };

const LRN = { size: 5, alpha: 1e-4, beta: 0.75, k: 2 };

/** The layers of a variant; options make the channel-reduced copies the parity tests use. */
export function makeSpec(variant: VariantName, opts: SpecOptions = {}): ModelSpec {
  const numClasses = opts.numClasses ?? 1000;
  const [fc6, fc7] = opts.fcUnits ?? [4096, 4096];
  if (variant === 'torchvision') {
    const [c1, c2, c3, c4, c5] = opts.convChannels ?? [64, 192, 384, 256, 256];
    const layers: Layer[] = [
      conv('conv1', 3, c1, 11, 4, 2), { kind: 'relu', name: 'relu1' }, pool('pool1'),
      conv('conv2', c1, c2, 5, 1, 2), { kind: 'relu', name: 'relu2' }, pool('pool2'),
      conv('conv3', c2, c3, 3, 1, 1), { kind: 'relu', name: 'relu3' },
      conv('conv4', c3, c4, 3, 1, 1), { kind: 'relu', name: 'relu4' },
      conv('conv5', c4, c5, 3, 1, 1), { kind: 'relu', name: 'relu5' }, pool('pool5'),
      { kind: 'adaptiveavgpool', name: 'avgpool', size: 6 },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dropout', name: 'drop6', rate: 0.5 },
      dense('fc6', 6 * 6 * c5, fc6), { kind: 'relu', name: 'relu6' },
      { kind: 'dropout', name: 'drop7', rate: 0.5 },
      dense('fc7', fc6, fc7), { kind: 'relu', name: 'relu7' },
      dense('fc8', fc7, numClasses),
      { kind: 'softmax', name: 'prob' },
    ];
    return { variant, inputSize: 224, resizeTo: 256, normalisation: IMAGENET_RGB, layers, numClasses };
  }
  const g = variant === 'caffe' ? 2 : 1;
  const [c1, c2, c3, c4, c5] = opts.convChannels ?? [96, 256, 384, 384, 256];
  const layers: Layer[] = [
    conv('conv1', 3, c1, 11, 4, 0), { kind: 'relu', name: 'relu1' }, { kind: 'lrn', name: 'norm1', ...LRN }, pool('pool1'),
    conv('conv2', c1, c2, 5, 1, 2, g), { kind: 'relu', name: 'relu2' }, { kind: 'lrn', name: 'norm2', ...LRN }, pool('pool2'),
    conv('conv3', c2, c3, 3, 1, 1), { kind: 'relu', name: 'relu3' },
    conv('conv4', c3, c4, 3, 1, 1, g), { kind: 'relu', name: 'relu4' },
    conv('conv5', c4, c5, 3, 1, 1, g), { kind: 'relu', name: 'relu5' }, pool('pool5'),
    { kind: 'flatten', name: 'flatten' },
    dense('fc6', 6 * 6 * c5, fc6), { kind: 'relu', name: 'relu6' },
    { kind: 'dropout', name: 'drop6', rate: 0.5 },
    dense('fc7', fc6, fc7), { kind: 'relu', name: 'relu7' },
    { kind: 'dropout', name: 'drop7', rate: 0.5 },
    dense('fc8', fc7, numClasses),
    { kind: 'softmax', name: 'prob' },
  ];
  return { variant, inputSize: 227, resizeTo: 256, normalisation: CAFFE_BGR, layers, numClasses };
}

function conv(name: string, inChannels: number, filters: number, kernel: number, stride: number, pad: number, groups = 1): ConvLayer {
  return { kind: 'conv', name, inChannels, filters, kernel, stride, pad, groups };
}
function pool(name: string): MaxPoolLayer {
  return { kind: 'maxpool', name, size: 3, stride: 2 };
}
function dense(name: string, inUnits: number, units: number): DenseLayer {
  return { kind: 'dense', name, inUnits, units };
}

export interface ParamShape { name: string; shape: number[] }

/** Every trainable tensor of a spec, in canonical (tfjs) layout and forward order. */
export function paramShapes(spec: ModelSpec): ParamShape[] {
  const out: ParamShape[] = [];
  for (const l of spec.layers) {
    if (l.kind === 'conv') {
      out.push({ name: `${l.name}.weight`, shape: [l.kernel, l.kernel, l.inChannels / l.groups, l.filters] });
      out.push({ name: `${l.name}.bias`, shape: [l.filters] });
    } else if (l.kind === 'dense') {
      out.push({ name: `${l.name}.weight`, shape: [l.inUnits, l.units] });
      out.push({ name: `${l.name}.bias`, shape: [l.units] });
    }
  }
  return out;
}

export function countParams(spec: ModelSpec): number {
  return paramShapes(spec).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

export interface LayerInfo {
  layer: Layer;
  /** output shape [h, w, c] for spatial layers, [units] after flatten */
  outputShape: number[];
  params: number;
  /** multiply-adds counted as 2 FLOPs, per image */
  flops: number;
}

/** Output shape, parameters and FLOPs of every layer (what `alexnet info` and the diagram show). */
export function describe(spec: ModelSpec): LayerInfo[] {
  let shape: number[] = [spec.inputSize, spec.inputSize, 3];
  const infos: LayerInfo[] = [];
  for (const layer of spec.layers) {
    let params = 0;
    let flops = 0;
    switch (layer.kind) {
      case 'conv': {
        const [h, w] = shape;
        const oh = Math.floor((h + 2 * layer.pad - layer.kernel) / layer.stride) + 1;
        const ow = Math.floor((w + 2 * layer.pad - layer.kernel) / layer.stride) + 1;
        const perOut = layer.kernel * layer.kernel * (layer.inChannels / layer.groups);
        params = perOut * layer.filters + layer.filters;
        flops = 2 * perOut * oh * ow * layer.filters;
        shape = [oh, ow, layer.filters];
        break;
      }
      case 'maxpool': {
        const [h, w, c] = shape;
        const oh = Math.floor((h - layer.size) / layer.stride) + 1;
        const ow = Math.floor((w - layer.size) / layer.stride) + 1;
        shape = [oh, ow, c];
        break;
      }
      case 'adaptiveavgpool':
        shape = [layer.size, layer.size, shape[2]];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        params = layer.inUnits * layer.units + layer.units;
        flops = 2 * layer.inUnits * layer.units;
        shape = [layer.units];
        break;
      default:
        break;
    }
    infos.push({ layer, outputShape: [...shape], params, flops });
  }
  return infos;
}

/** Names of the layers whose outputs can be inspected (every layer but dropout). */
export function inspectableLayers(spec: ModelSpec): string[] {
  return spec.layers.filter((l) => l.kind !== 'dropout').map((l) => l.name);
}
