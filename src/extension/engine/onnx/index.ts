// The ONNX inference runtime (optional: needs onnxruntime-node).
export { createOnnxRuntime, onnxAvailable, buildOnnxModel, loadOrt } from './runtime';
export type { OnnxRuntime, OnnxRuntimeOptions, OnnxRunResult, OnnxActivation } from './runtime';
export { buildOnnxGraph, DEFAULT_LRN_MODE } from './graph';
export type { HostParam, LrnMode, GraphOptions, BuiltGraph } from './graph';
export { encodeModel } from './onnxProto';
