import type { ModelSpec } from '../model/spec';
import { type OnnxGraph } from './onnxProto';
export interface HostParam {
    shape: number[];
    data: Float32Array;
}
/**
 * How LRN is expressed:
 *  'op'      the single ONNX LRN operator;
 *  'avgpool' PyTorch's decomposition (square, 3-D average pool across channels, scale, power, divide);
 *  'conv'    the channel window sum as a 1x1 convolution with a banded 0/1 matrix.
 */
export type LrnMode = 'op' | 'avgpool' | 'conv';
export interface GraphOptions {
    /** layer names whose outputs are extra graph outputs (NHWC / H,W,C flatten, like tfjs's forward) */
    collect?: string[];
    lrn?: LrnMode;
}
export interface BuiltGraph {
    graph: OnnxGraph;
    inputName: string;
    logitsName: string;
    probabilitiesName: string;
    /** layer name -> graph output name holding it in the tfjs layout */
    activationNames: Map<string, string>;
}
export declare const DEFAULT_LRN_MODE: LrnMode;
export declare function buildOnnxGraph(spec: ModelSpec, params: Record<string, HostParam>, opts?: GraphOptions): BuiltGraph;
/** PyTorch's AdaptiveAvgPool2d as a [H*W, S*S] matrix: bin i covers [floor(i*H/S), ceil((i+1)*H/S)). */
export declare function adaptivePoolMatrix(h: number, w: number, size: number): Float32Array;
