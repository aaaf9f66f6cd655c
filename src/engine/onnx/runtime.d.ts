import type { ModelSpec } from '../model/spec';
import { type HostParam, type LrnMode } from './graph';
interface OrtTensor {
    readonly data: unknown;
    readonly dims: readonly number[];
    dispose?(): void;
}
interface OrtSession {
    run(feeds: Record<string, OrtTensor>, fetches?: string[]): Promise<Record<string, OrtTensor>>;
    release(): Promise<void>;
}
export interface OrtModule {
    InferenceSession: {
        create(model: Uint8Array | string, options?: Record<string, unknown>): Promise<OrtSession>;
    };
    Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
    env: {
        versions?: Record<string, string>;
    };
}
/** onnxruntime-node, loaded on first use; throws with the reason when it cannot load. */
export declare function loadOrt(): OrtModule;
/** Whether the ONNX runtime can run in this process (ok), or why not. */
export declare function onnxAvailable(): {
    ok: boolean;
    reason?: string;
    version?: string;
};
export interface OnnxRuntimeOptions {
    /** intra-op threads (default: onnxruntime's choice, one per core) */
    threads?: number;
    /** layer names whose outputs run() can return (fixed when the session is built) */
    collect?: string[];
    lrn?: LrnMode;
    /**
     * Pre-pack weights when the session is built (ORT's default). Packing takes ~1.3 s for AlexNet and
     * pays off only over hundreds of images (~20% faster at batch 8-32); without it the first
     * prediction comes sooner and batch 1 runs no slower. Default true.
     */
    prepack?: boolean;
    /** keep the built model in this disk cache under `key` (see modelCache.ts), and read it from there */
    cache?: {
        dir: string;
        key: string;
        keep?: number;
    };
}
export interface OnnxActivation {
    /** NHWC for spatial layers, [n, units] for flat ones: the layout tfjs's forward() gives */
    shape: number[];
    data: Float32Array;
}
export interface OnnxRunResult {
    /** [n * numClasses] */
    logits: Float32Array;
    /** softmax of the logits, [n * numClasses] */
    probabilities: Float32Array;
    activations: Map<string, OnnxActivation>;
}
export interface OnnxRuntime {
    readonly spec: ModelSpec;
    /** layers whose activations run() can return */
    readonly collectable: readonly string[];
    /** milliseconds to build the graph and create the session */
    readonly createMs: number;
    /** where the model came from: the disk cache, built and written to it, or built in memory */
    readonly source: 'cache' | 'built+cached' | 'built';
    /** Runs an NHWC float32 batch of n images. `collect` (default: all collectable) picks activations. */
    run(nhwc: Float32Array, n: number, opts?: {
        collect?: string[];
    }): Promise<OnnxRunResult>;
    dispose(): Promise<void>;
}
/** The serialised ONNX model of a spec and its canonical weights (for saving or inspection). */
export declare function buildOnnxModel(spec: ModelSpec, params: Record<string, HostParam>, opts?: {
    collect?: string[];
    lrn?: LrnMode;
}): Uint8Array;
/**
 * The runtime from the disk cache alone (no weights needed), or undefined when the entry is
 * missing or broken. Its spec is the one the entry was built for: compare it with the model's.
 */
export declare function openCachedOnnxRuntime(cache: {
    dir: string;
    key: string;
}, opts?: Omit<OnnxRuntimeOptions, 'cache' | 'collect' | 'lrn'>): Promise<OnnxRuntime | undefined>;
export declare function createOnnxRuntime(spec: ModelSpec, params: Record<string, HostParam>, opts?: OnnxRuntimeOptions): Promise<OnnxRuntime>;
export declare function sameSpec(a: ModelSpec, b: ModelSpec): boolean;
export {};
