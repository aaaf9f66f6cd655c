import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
type WasmBackendLike = tf.KernelBackend & {
    disposeData(dataId: object, force?: boolean): boolean;
};
export type HeapBackend = WasmBackendLike & {
    dataIdMap: {
        get(dataId: object): {
            memoryOffset: number;
        };
    };
    makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
    wasm: {
        HEAPU8: Uint8Array;
        wasmMemory?: WebAssembly.Memory;
    };
};
/** A Float32Array over a wasm tensor (current memory: it may have grown since HEAPU8 was made). */
export declare function heapF32(backend: HeapBackend, t: TensorInfo): Float32Array;
/**
 * Registers the training kernels above for the wasm backend (idempotent). Needs
 * @tensorflow/tfjs-backend-wasm loaded; initBackend calls it when wasm is chosen.
 */
export declare function registerWasmTrainingKernels(): void;
export {};
