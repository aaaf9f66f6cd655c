import { type BackendPreference, type BackendReport } from './backend/select';
import { type ModelSpec, type VariantName } from './model/spec';
import { type Params } from './model/alexnet';
import type { ClassifyItem, ModelInfo, ModelStatus, Prediction, WeightsSource } from '../protocol/engine';
import { type OnnxRuntime } from './onnx';
export declare const ENGINE_VERSION = "0.1.0";
export interface LoadedModel {
    spec: ModelSpec;
    params: Params;
    status: ModelStatus;
    /**
     * The same network on onnxruntime-node, for inference on CPU backends (several times faster
     * than tfjs's WebAssembly here; see bench/). Built in the background after the model loads;
     * until it is ready, and for gradients and training, tfjs answers.
     */
    onnx?: OnnxRuntime;
}
/** Where inference runs: 'auto' uses ONNX Runtime when it loads and no GPU backend is in use. */
export type InferenceRuntime = 'auto' | 'tfjs';
export interface ClassifyOptions {
    topK: number;
    /** images per forward pass */
    batchSize?: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number, path: string) => void;
}
export interface EngineOptions {
    /** the weights/ folder holding imagenet_classes.json (default: found beside the code, weights/dataDir.ts) */
    dataDir?: string;
    /**
     * Folder for built ONNX models (onnx/modelCache.ts), keyed by the weights file: a later start
     * loads the session from there. The host passes its globalStorage through ALEXNET_ONNX_CACHE_DIR,
     * the CLI ~/.cache/alexnet-explorer/onnx; unset, nothing is cached.
     */
    onnxCacheDir?: string;
    /** default 'auto' */
    inferenceRuntime?: InferenceRuntime;
}
/** The options the engine process and the CLI take from their environment (ALEXNET_INFERENCE, ALEXNET_ONNX_CACHE_DIR). */
export declare function engineOptionsFromEnv(env?: NodeJS.ProcessEnv): EngineOptions;
/**
 * The engine's state: one per process in practice (tfjs's backend is process-wide). The engine
 * process (server.ts) and each CLI command make one and hand it to what needs it.
 */
export declare class Engine {
    backend?: BackendReport;
    model?: LoadedModel;
    /** set to 'tfjs' to keep inference on the tfjs backend (tests comparing backends, explicit backend choice) */
    inferenceRuntime: InferenceRuntime;
    /** Folder for built ONNX models (onnx/modelCache.ts); see EngineOptions. */
    onnxCacheDir: string | undefined;
    /** the weights/ data folder (ImageNet labels); undefined: found beside the code */
    readonly dataDir: string | undefined;
    /** ORT weight pre-packing: +1.3 s to build, ~20% faster batches; worth it for hundreds of images only */
    onnxPrepack: boolean;
    private onnxPending?;
    /** set while classify should wait for the ORT session rather than answer on tfjs */
    private onnxFirstPending?;
    constructor(options?: EngineOptions);
    init(pref?: BackendPreference, threads?: number): Promise<BackendReport>;
    requireBackend(): BackendReport;
    requireModel(): LoadedModel;
    /** Loads weights (or random He-initialised ones) for a variant; replaces the current model. */
    loadModel(variant: VariantName, weights: WeightsSource): Promise<ModelStatus>;
    /** Whether inference should go to ONNX Runtime: runtime 'auto', backend chosen automatically, no GPU, ORT loads. */
    private wantsOnnx;
    private onnxSessionOptions;
    private onnxCacheFor;
    /**
     * The ONNX Runtime session for `model`: the one `early` opened from the disk cache when it fits,
     * else built from `host` (the file's tensors) or the tfjs params, and cached when a folder is set.
     */
    private startOnnx;
    /** Waits for the background ONNX session (tests and benchmarks that want it in use). */
    onnxReady(): Promise<boolean>;
    /** What answers classify requests now. */
    inferenceLabel(): string;
    disposeModel(): void;
    /** Softmax probabilities for an NHWC batch, as one Float32Array [n * numClasses]. */
    probabilities(data: Float32Array, n: number): Promise<Float32Array>;
    topK(probs: Float32Array, offset: number, k: number): Prediction[];
    /** Classifies files; an image that cannot be decoded becomes an ok:false item and the rest go on. */
    classifyFiles(paths: string[], opts: ClassifyOptions): Promise<ClassifyItem[]>;
    info(variant?: VariantName): ModelInfo;
}
