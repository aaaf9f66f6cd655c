/** The most threads the wasm backend's thread pool accepts (fixed in its C++ code). */
export declare const MAX_WASM_THREADS = 8;
/** Why wasm threads cannot run in this process, or undefined when they can. */
export declare function wasmThreadsUnsupportedReason(): string | undefined;
/**
 * Prepares tfjs-backend-wasm to start with `threads` threads. Call before tf.setBackend('wasm')
 * and call the returned function once that has settled (it restores os.cpus).
 * threads <= 1 selects the single-threaded SIMD build.
 */
export declare function prepareWasmThreads(threads: number): () => void;
