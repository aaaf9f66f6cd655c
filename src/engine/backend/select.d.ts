import { BACKEND_ORDER, type BackendName, type BackendPreference, type BackendReport } from '../../protocol/engine/backend';
export { BACKEND_ORDER, type BackendName, type BackendPreference, type BackendReport };
export interface BackendOptions {
    /** WebAssembly threads (default: the number of CPU cores, at most 8) */
    threads?: number;
    /** folder holding the tfjs-backend-wasm .wasm files (default: found automatically) */
    wasmDir?: string;
}
export interface BackendProbe {
    name: BackendName;
    available: boolean;
    /** why it is unavailable, or what is known about it */
    detail: string;
}
/** Default WebAssembly thread count: one per core, within the wasm backend's limit. */
export declare function defaultWasmThreads(): number;
/**
 * The folder with the .wasm files: beside the bundle (dist/wasm/, copied by scripts/build.mjs)
 * or in node_modules when running from sources. Undefined when neither exists.
 */
export declare function findWasmDir(): string | undefined;
/** What could run here, without starting anything (for a "Select Backend" quick pick). */
export declare function probeBackends(): BackendProbe[];
/**
 * Starts the preferred backend, or the next one down BACKEND_ORDER that works.
 * Call before creating any tensor. Calling it again switches backends (tensors are moved
 * lazily by tfjs); WebAssembly's thread count is fixed at its first start in a process.
 */
export declare function initBackend(pref?: BackendPreference, opts?: BackendOptions): Promise<BackendReport>;
