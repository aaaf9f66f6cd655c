// A standalone ONNX model for other tools: NCHW float input with a dynamic batch axis, outputs
// `logits` and `probabilities`, opset 17, the single ONNX LRN op, and what a user needs to feed
// it (class names, preprocessing) in metadata_props. Built from the engine's own graph builder
// (onnx/graph.ts, which takes NHWC): its first Transpose is dropped so callers pass NCHW.
import type { ModelSpec } from '../model/spec';
import { buildOnnxGraph, type HostParam } from '../onnx/graph';
import { encodeModel, type OnnxGraph } from '../onnx/onnxProto';

export const ONNX_EXPORT_OPSET = 17;
export const ONNX_EXPORT_FORMAT = 'alexnet-explorer-onnx/1';

/** How to turn an image into the model's input, as plain data (the same in every export's metadata). */
export function preprocessingMetadata(spec: ModelSpec): Record<string, unknown> {
  const n = spec.normalisation;
  return {
    resizeShorterSideTo: spec.resizeTo,
    resample: 'bilinear (PIL, as torchvision.transforms.Resize)',
    centerCrop: spec.inputSize,
    layout: 'NCHW',
    channelOrder: n.kind === 'caffe-bgr' ? 'BGR' : 'RGB',
    ...(n.kind === 'imagenet-rgb'
      ? { scale: '1/255', mean: n.mean, std: n.std, formula: '(pixel / 255 - mean[c]) / std[c]' }
      : { scale: '1', mean: n.mean, formula: 'pixel - mean[c] (pixels 0..255, channels B,G,R)' }),
  };
}

function rename(g: OnnxGraph, from: string, to: string): void {
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((x) => (x === from ? to : x));
    n.outputs = n.outputs.map((x) => (x === from ? to : x));
  }
  for (const o of g.outputs) if (o.name === from) o.name = to;
}

export interface OnnxExportOptions {
  classNames: string[];
  /** extra metadata_props (provenance...) */
  metadata?: Record<string, string>;
}

export function exportOnnxModel(spec: ModelSpec, params: Record<string, HostParam>, opts: OnnxExportOptions): Uint8Array {
  if (opts.classNames.length !== spec.numClasses) throw new Error(`${opts.classNames.length} class names for ${spec.numClasses} outputs`);
  const built = buildOnnxGraph(spec, params, { lrn: 'op' });
  const g = built.graph;
  const first = g.nodes.findIndex((n) => n.op === 'Transpose' && n.inputs[0] === built.inputName);
  if (first < 0) throw new Error('the graph builder no longer starts with the NHWC -> NCHW transpose');
  const nchw = g.nodes[first].outputs[0];
  g.nodes.splice(first, 1);
  rename(g, nchw, built.inputName);
  const s = spec.inputSize;
  g.inputs = [{ name: built.inputName, dims: ['batch', 3, s, s] }];
  rename(g, built.logitsName, 'logits');
  rename(g, built.probabilitiesName, 'probabilities');
  return encodeModel(g, {
    opset: ONNX_EXPORT_OPSET,
    irVersion: 8,
    docString: `AlexNet (${spec.variant}), ${spec.numClasses} classes. Input: ${JSON.stringify(preprocessingMetadata(spec))}`,
    metadata: {
      format: ONNX_EXPORT_FORMAT,
      variant: spec.variant,
      numClasses: String(spec.numClasses),
      classNames: JSON.stringify(opts.classNames),
      inputSize: String(spec.inputSize),
      resizeTo: String(spec.resizeTo),
      normalisation: JSON.stringify(spec.normalisation),
      preprocessing: JSON.stringify(preprocessingMetadata(spec)),
      ...(opts.metadata ?? {}),
    },
  });
}
