export { createOnnxRuntime, openCachedOnnxRuntime, onnxAvailable, buildOnnxModel, loadOrt, sameSpec } from './runtime';
export type { OnnxRuntime, OnnxRuntimeOptions, OnnxRunResult, OnnxActivation } from './runtime';
export { buildOnnxGraph, DEFAULT_LRN_MODE } from './graph';
export type { HostParam, LrnMode, GraphOptions, BuiltGraph } from './graph';
export { encodeModel } from './onnxProto';
export { onnxCacheKey, weightsFileIdentity, defaultOnnxCacheDir, readCachedModel, writeCachedModel, removeCachedModel, evictOnnxCache, ONNX_CACHE_FORMAT, DEFAULT_CACHE_ENTRIES, } from './modelCache';
export type { WeightsIdentity, CacheKeyParts, CachedModel } from './modelCache';
