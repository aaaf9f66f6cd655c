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
export interface ReluLayer {
    kind: 'relu';
    name: string;
}
/** PyTorch's nn.LocalResponseNorm(size, alpha, beta, k) semantics (alpha is divided by size). */
export interface LrnLayer {
    kind: 'lrn';
    name: string;
    size: number;
    alpha: number;
    beta: number;
    k: number;
}
export interface MaxPoolLayer {
    kind: 'maxpool';
    name: string;
    size: number;
    stride: number;
}
export interface AdaptiveAvgPoolLayer {
    kind: 'adaptiveavgpool';
    name: string;
    size: number;
}
export interface FlattenLayer {
    kind: 'flatten';
    name: string;
}
export interface DropoutLayer {
    kind: 'dropout';
    name: string;
    rate: number;
}
export interface DenseLayer {
    kind: 'dense';
    name: string;
    units: number;
    inUnits: number;
}
export interface SoftmaxLayer {
    kind: 'softmax';
    name: string;
}
export type Layer = ConvLayer | ReluLayer | LrnLayer | MaxPoolLayer | AdaptiveAvgPoolLayer | FlattenLayer | DropoutLayer | DenseLayer | SoftmaxLayer;
export type Normalisation = 
/** torchvision: RGB in [0,1], (x - mean) / std */
{
    kind: 'imagenet-rgb';
    mean: [number, number, number];
    std: [number, number, number];
}
/** Caffe: BGR in [0,255], x - mean (mean given in B,G,R order) */
 | {
    kind: 'caffe-bgr';
    mean: [number, number, number];
};
export interface ModelSpec {
    variant: VariantName;
    inputSize: number;
    resizeTo: number;
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
export declare const IMAGENET_RGB: Normalisation;
export declare const CAFFE_BGR: Normalisation;
/** The layers of a variant; options make the channel-reduced copies the parity tests use. */
export declare function makeSpec(variant: VariantName, opts?: SpecOptions): ModelSpec;
export interface ParamShape {
    name: string;
    shape: number[];
}
/** Every trainable tensor of a spec, in canonical (tfjs) layout and forward order. */
export declare function paramShapes(spec: ModelSpec): ParamShape[];
export declare function countParams(spec: ModelSpec): number;
export interface LayerInfo {
    layer: Layer;
    /** output shape [h, w, c] for spatial layers, [units] after flatten */
    outputShape: number[];
    params: number;
    /** multiply-adds counted as 2 FLOPs, per image */
    flops: number;
}
/** Output shape, parameters and FLOPs of every layer (what `alexnet info` and the diagram show). */
export declare function describe(spec: ModelSpec): LayerInfo[];
/** Names of the layers whose outputs can be inspected (every layer but dropout). */
export declare function inspectableLayers(spec: ModelSpec): string[];
