import * as tf from '@tensorflow/tfjs-core';
import { type ModelSpec } from '../model/spec';
import { type Params } from '../model/alexnet';
import type { OnnxRuntime } from '../onnx';
import type { InspectableLayer } from '../../protocol/engine/inspect';
import { type ChannelMaps, type HostActivation } from './featureMaps';
export interface InspectModel {
    spec: ModelSpec;
    params: Params;
    /** the same network on ONNX Runtime; used for the forward pass when it can return every layer */
    onnx?: OnnxRuntime;
}
/** Which runtime computed an analysis. */
export type AnalysisRuntime = 'onnx' | 'tfjs';
/** The layers an analysis keeps: every inspectable one but the softmax (the probabilities are kept apart). */
export declare function activationLayers(spec: ModelSpec): string[];
/** Whether `onnx` can return every activation an analysis of its model keeps. */
export declare function onnxCanAnalyse(onnx: OnnxRuntime | undefined, spec: ModelSpec): onnx is OnnxRuntime;
export declare class ImageAnalysis {
    readonly model: InspectModel;
    readonly key: string;
    /** [1,S,S,3], model-normalised */
    readonly input: tf.Tensor4D;
    private readonly activations;
    /** softmax over the classes */
    readonly probabilities: Float32Array;
    readonly runtime: AnalysisRuntime;
    private readonly maps;
    private disposed;
    private constructor();
    /** Runs the whole network on `input` with tfjs (the input is taken over: disposed with the analysis). */
    static run(model: InspectModel, key: string, input: tf.Tensor4D): ImageAnalysis;
    /**
     * The same on ONNX Runtime (`onnx` must collect every layer: see onnxCanAnalyse). The input is
     * taken over when this succeeds and stays the caller's when it throws.
     */
    static runOnnx(model: InspectModel, key: string, input: tf.Tensor4D, onnx: OnnxRuntime): Promise<ImageAnalysis>;
    /** ONNX Runtime when the model has a session that collects every layer, tfjs otherwise (or when it fails). */
    static analyse(model: InspectModel, key: string, input: tf.Tensor4D): Promise<ImageAnalysis>;
    layerNames(): string[];
    /** One layer's output for the image: NHWC [1,h,w,c] or [1,units], as tfjs's forward() gives it. */
    activation(layer: string): HostActivation;
    featureMaps(layer: string): ChannelMaps;
    dispose(): void;
}
/** Layers as the views list them, with output shapes from the spec. */
export declare function inspectableLayerList(spec: ModelSpec): InspectableLayer[];
/** A small most-recently-used cache of analyses; entries of another model are dropped. */
export declare class AnalysisCache {
    private readonly capacity;
    private entries;
    /** analyses being computed, so that two requests for one image share a forward pass */
    private readonly pending;
    constructor(capacity?: number);
    get(model: InspectModel, key: string, load: () => Promise<tf.Tensor4D>): Promise<ImageAnalysis>;
    clear(): void;
}
