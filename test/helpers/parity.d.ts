import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../../src/engine/model/spec';
import type { HostTensor } from '../../src/engine/weights/hostTensor';
/** The fixture's normalised input, NHWC float32, computed as make_parity.py does (float32 steps). */
export declare function fixtureInput(dir: string, spec: ModelSpec): tf.Tensor4D;
/** PyTorch's activations by layer name, moved to the tfjs layout (NCHW -> NHWC; flatten C,H,W -> H,W,C). */
export declare function referenceActivations(npzPath: string): Map<string, HostTensor>;
export interface LayerError {
    layer: string;
    maxAbsError: number;
    scale: number;
    /** maxAbsError / scale */
    relative: number;
}
/** Runs the forward pass with every layer collected and compares each with its reference. */
export declare function compareWithReference(spec: ModelSpec, params: Record<string, HostTensor>, input: tf.Tensor4D, refs: Map<string, HostTensor>): LayerError[];
