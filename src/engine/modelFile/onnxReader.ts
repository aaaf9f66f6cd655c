// Reads the weights (graph initializers) and metadata_props of an ONNX model, for the viewer.
// A bounded protobuf walk over the few fields that hold them (field numbers from onnx.proto);
// everything else is skipped, nothing is executed. External data is reported, not followed.
import { ElementType, toFloat32 } from '../weights/dtypes';
import type { HostTensor } from '../weights/hostTensor';

// TensorProto.DataType -> our element types
const ONNX_TYPES: Record<number, ElementType> = { 1: 'f32', 2: 'u8', 3: 'i8', 4: 'u16', 5: 'i16', 6: 'i32', 7: 'i64', 9: 'bool', 10: 'f16', 11: 'f64', 12: 'u32', 13: 'u64', 16: 'bf16' };

export interface OnnxInitializer extends HostTensor {
  name: string;
  dtype: ElementType;
}

export interface OnnxContent {
  initializers: OnnxInitializer[];
  metadata: Record<string, string>;
  /** initializers whose bytes live in another file (not read) */
  external: string[];
  producer?: string;
  opset?: number;
}

class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, readonly start = 0, readonly end = buf.length) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('ONNX file is cut short (in a varint)');
      const b = this.buf[this.pos++];
      if (shift < 53) result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return result;
    }
    throw new Error('malformed varint in the ONNX file');
  }
  /** [field, wire type] */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }
  bytes(): Reader {
    const n = this.varint();
    if (this.pos + n > this.end) throw new Error('ONNX file is cut short (a field runs past the end)');
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}: not an ONNX model`);
    if (this.pos > this.end) throw new Error('ONNX file is cut short');
  }
  text(): string {
    const r = this.bytes();
    return Buffer.from(r.buf.buffer, r.buf.byteOffset + r.start, r.end - r.start).toString('utf8');
  }
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }
}

function readTensor(r: Reader, external: string[]): OnnxInitializer | undefined {
  const dims: number[] = [];
  let type = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  let isExternal = false;
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === 2) {
      const p = r.bytes();
      while (!p.done) dims.push(p.varint());
    } else if (field === 1 && wire === 0) dims.push(r.varint());
    else if (field === 2 && wire === 0) type = r.varint();
    else if (field === 8 && wire === 2) name = r.text();
    else if (field === 9 && wire === 2) raw = r.bytes().view();
    else if (field === 4 && wire === 2) {
      const p = r.bytes().view();
      const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
      for (let i = 0; i + 4 <= p.byteLength; i += 4) floats.push(dv.getFloat32(i, true));
    } else if (field === 14 && wire === 0) isExternal = r.varint() === 1;
    else r.skip(wire);
  }
  const element = ONNX_TYPES[type];
  const count = dims.reduce((a, b) => a * b, 1);
  if (isExternal) {
    external.push(name);
    return undefined;
  }
  if (!element) return undefined;
  let data: Float32Array;
  if (raw) {
    if (raw.byteLength < count * (element === 'bool' ? 1 : ({ f16: 2, bf16: 2, i16: 2, u16: 2, f32: 4, i32: 4, u32: 4 } as Record<string, number>)[element] ?? (element === 'u8' || element === 'i8' ? 1 : 8)))
      throw new Error(`ONNX tensor ${name}: raw data shorter than its shape`);
    data = toFloat32(raw, element, count);
  } else if (floats.length === count) data = Float32Array.from(floats);
  else return undefined; // int64_data etc.: small constants, not weights
  return { name, shape: dims, data, dtype: element };
}

export function isOnnx(buf: Uint8Array): boolean {
  // ModelProto starts with ir_version (field 1, varint): 0x08
  return buf.length > 16 && buf[0] === 0x08 && buf[1] > 0 && buf[1] < 20;
}

export function readOnnx(buf: Uint8Array): OnnxContent {
  const out: OnnxContent = { initializers: [], metadata: {}, external: [] };
  const r = new Reader(buf);
  let sawGraph = false;
  while (!r.done) {
    const [field, wire] = r.tag();
    if (field === 7 && wire === 2) {
      sawGraph = true;
      const g = r.bytes();
      while (!g.done) {
        const [gf, gw] = g.tag();
        if (gf === 5 && gw === 2) {
          const t = readTensor(g.bytes(), out.external);
          if (t) out.initializers.push(t);
        } else g.skip(gw);
      }
    } else if (field === 14 && wire === 2) {
      const e = r.bytes();
      let k = '';
      let v = '';
      while (!e.done) {
        const [ef, ew] = e.tag();
        if (ef === 1 && ew === 2) k = e.text();
        else if (ef === 2 && ew === 2) v = e.text();
        else e.skip(ew);
      }
      out.metadata[k] = v;
    } else if (field === 2 && wire === 2) out.producer = r.text();
    else if (field === 8 && wire === 2) {
      const o = r.bytes();
      while (!o.done) {
        const [of, ow] = o.tag();
        if (of === 2 && ow === 0) out.opset = o.varint();
        else o.skip(ow);
      }
    } else r.skip(wire);
  }
  if (!sawGraph) throw new Error('not an ONNX model (no graph)');
  return out;
}
