import type { ModelSpec } from '../model/spec';
import type { BuiltGraph, LrnMode } from './graph';
/** Bump when the graph, the encoding or the file layout changes: old entries stop matching. */
export declare const ONNX_CACHE_FORMAT = 1;
/** entries kept by default (each ~ the weights file's size) */
export declare const DEFAULT_CACHE_ENTRIES = 3;
/** What identifies a weights file's contents: its SHA-256 when known, else path + size + mtime. */
export type WeightsIdentity = {
    sha256: string;
} | {
    path: string;
    size: number;
    mtimeMs: number;
};
export declare function weightsFileIdentity(path: string): Promise<WeightsIdentity>;
export interface CacheKeyParts {
    weights: WeightsIdentity;
    /** the variant asked for (the spec follows from it and the file) */
    variant: string;
    collect?: readonly string[];
    lrn?: LrnMode;
}
/** A file-name-safe key covering everything the cached model depends on. */
export declare function onnxCacheKey(parts: CacheKeyParts): string;
/** The CLI's cache folder ($XDG_CACHE_HOME or ~/.cache, /alexnet-explorer/onnx). */
export declare function defaultOnnxCacheDir(): string;
export interface CachedModel {
    key: string;
    /** the .onnx file to give InferenceSession.create */
    modelPath: string;
    spec: ModelSpec;
    inputName: string;
    logitsName: string;
    probabilitiesName: string;
    activationNames: Map<string, string>;
}
/** Removes an entry's files (missing ones are fine). */
export declare function removeCachedModel(dir: string, key: string): Promise<void>;
/**
 * The entry for `key` when it is complete and consistent; undefined when absent. A broken entry
 * (truncated, wrong header or trailer, other format) is deleted and reported as absent.
 */
export declare function readCachedModel(dir: string, key: string): Promise<CachedModel | undefined>;
/**
 * Writes `built` as the entry `key`: large initializers go once, straight from their arrays, into
 * KEY.weights; the graph referring to them into KEY.onnx; the manifest last. Then evicts old entries.
 */
export declare function writeCachedModel(dir: string, key: string, spec: ModelSpec, built: BuiltGraph, keep?: number): Promise<CachedModel>;
/**
 * Keeps the `keep` most recently used entries (by manifest mtime) and removes the rest, plus files
 * of no entry (a crash between renames, leftovers older than a minute). Returns the removed keys.
 */
export declare function evictOnnxCache(dir: string, keep?: number): Promise<string[]>;
