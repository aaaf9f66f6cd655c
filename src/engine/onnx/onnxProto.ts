// The few ONNX messages an AlexNet graph needs, encoded with field numbers from onnx.proto
// (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto). No `onnx` package involved.
import { ProtoWriter } from './protobuf';

// TensorProto.DataType
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'string'; value: string };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
  /** operator set domain ('' = the ONNX standard one; e.g. 'com.microsoft.nchwc' for ORT's blocked kernels) */
  domain?: string;
}

/** Where a tensor's bytes lie in a file next to the model (TensorProto.external_data). */
export interface ExternalDataRef {
  /** file name, relative to the model file's folder */
  location: string;
  offset: number;
  length: number;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 data, int32 data, or int64 values as numbers */
  data: Float32Array | Int32Array | { int64: number[] };
  /** when set, the model refers to these bytes instead of embedding `data` */
  external?: ExternalDataRef;
}

/** A dimension: a fixed size, or a name for a symbolic one (the batch). */
export type Dim = number | string;
export interface OnnxValueInfo {
  name: string;
  dims: Dim[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const float = (value: number): AttrValue => ({ kind: 'float', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

function attribute(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.kind) {
    case 'float':
      return w.float(2, a.value).int(20, ATTR_FLOAT);
    case 'int':
      return w.int(3, a.value).int(20, ATTR_INT);
    case 'string':
      return w.bytes(4, new TextEncoder().encode(a.value)).int(20, ATTR_STRING);
    case 'ints':
      // repeated int64 ints = 8 (packed encoding is accepted by proto2/3 parsers)
      return w.packedInts(8, a.value).int(20, ATTR_INTS);
  }
}

function node(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function tensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.dims);
  if (t.external) {
    w.int(2, t.data instanceof Float32Array ? DataType.FLOAT : t.data instanceof Int32Array ? DataType.INT32 : DataType.INT64).string(8, t.name);
    // external_data = 13 (key/value entries), data_location = 14 (EXTERNAL = 1)
    const { location, offset, length } = t.external;
    for (const [k, v] of [['location', location], ['offset', String(offset)], ['length', String(length)]])
      w.message(13, new ProtoWriter().string(1, k).string(2, v));
    w.int(14, 1);
  } else if (t.data instanceof Float32Array || t.data instanceof Int32Array) {
    w.int(2, t.data instanceof Float32Array ? DataType.FLOAT : DataType.INT32).string(8, t.name);
    // raw_data = 9: little-endian bytes (every platform Node runs on here is little-endian)
    w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  } else {
    w.int(2, DataType.INT64).string(8, t.name);
    const b = new Uint8Array(8 * t.data.int64.length);
    const dv = new DataView(b.buffer);
    t.data.int64.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
    w.bytes(9, b);
  }
  return w;
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, DataType.FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

export interface ModelOptions {
  opset?: number;
  producer?: string;
  /** default: the lowest that carries the opset */
  irVersion?: number;
  /** ModelProto.metadata_props: string key/value pairs (class names, preprocessing...) */
  metadata?: Record<string, string>;
  docString?: string;
}

/** The lowest IR version that carries an opset (onnx/docs/Versioning.md). */
function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  return 9;
}

/** The serialised ModelProto, ready for InferenceSession.create(bytes). */
export function encodeModel(g: OnnxGraph, opts: ModelOptions = {}): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, node(n));
  graph.string(2, g.name);
  for (const t of g.initializers) graph.message(5, tensor(t));
  for (const i of g.inputs) graph.message(11, valueInfo(i));
  for (const o of g.outputs) graph.message(12, valueInfo(o));
  const opsetVersion = opts.opset ?? 13;
  const opset = new ProtoWriter().string(1, '').int(2, opsetVersion);
  const model = new ProtoWriter()
    .int(1, opts.irVersion ?? irVersionFor(opsetVersion))
    .string(2, opts.producer ?? 'alexnet-explorer');
  if (opts.docString) model.string(6, opts.docString);
  model.message(7, graph).message(8, opset);
  // every other domain a node uses gets its own opset_import (ORT's contrib domains are at version 1)
  for (const domain of new Set(g.nodes.map((n) => n.domain).filter((d): d is string => !!d)))
    model.message(8, new ProtoWriter().string(1, domain).int(2, 1));
  // metadata_props = 14: StringStringEntryProto { key = 1, value = 2 }
  for (const [k, v] of Object.entries(opts.metadata ?? {})) model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return model.finish();
}
