import * as tf from '@tensorflow/tfjs-core';
import type { Layer, ModelSpec } from './spec';
export type Params = Record<string, tf.Tensor>;
export interface ForwardOptions {
    /** dropout active (training only) */
    training?: boolean;
    /** layer names whose outputs are kept and returned (they are not disposed by the caller's tidy) */
    collect?: Iterable<string>;
    /** stop after this layer (its output is `output`) */
    upTo?: string;
    /** start at the layer after this one, with `x` being that layer's output (used by cached-feature training) */
    from?: string;
    /** apply the final softmax; by default the output is fc8's logits */
    softmax?: boolean;
}
export interface ForwardResult {
    output: tf.Tensor;
    activations: Map<string, tf.Tensor>;
}
/** Runs the network on an NHWC batch. Call inside tf.tidy or dispose the results yourself. */
export declare function forward(spec: ModelSpec, params: Params, x: tf.Tensor, opts?: ForwardOptions): ForwardResult;
export declare function applyLayer(layer: Layer, params: Params, x: tf.Tensor, training: boolean): tf.Tensor;
/** PyTorch's AdaptiveAvgPool2d: bin i covers [floor(i*H/out), ceil((i+1)*H/out)). */
export declare function adaptiveAvgPool(x: tf.Tensor4D, out: number): tf.Tensor4D;
/**
 * The paper's initialisation for training from scratch: weights ~ N(0, 0.01);
 * biases 1 in conv2, conv4, conv5 and the fully connected layers (so ReLUs start
 * with positive inputs), 0 in conv1 and conv3.
 */
export declare function paperInit(spec: ModelSpec, seed?: number, include?: (paramName: string) => boolean): Params;
/**
 * Variance-preserving random weights (He et al.: N(0, 2/fan_in), zero biases) for the
 * "untrained" model people classify and inspect without downloading anything. With the
 * paper's init the constant biases swamp the tiny N(0, 0.01) weights, so every image gets
 * the same answer and every feature map looks alike; here activations keep their scale
 * through the layers, so outputs and maps still depend on the image.
 */
export declare function heInit(spec: ModelSpec, seed?: number, include?: (paramName: string) => boolean): Params;
/** Checks a parameter set against a spec; returns the problems (empty when it fits). */
export declare function checkParams(spec: ModelSpec, shapes: Record<string, number[]>): {
    missing: string[];
    unexpected: string[];
    misshaped: string[];
};
