// Every tensor of a weights file as the file holds it (names, shapes, element types), AlexNet or
// not, read by the same safe readers the loaders use (restricted unpickler, bounded parsers).
import { basename } from 'node:path';
import { parseBaseWeightsRef } from '../weights/baseWeights';
import { caffeNpyToCanonical } from '../weights/caffeNpy';
import type { HostTensor } from '../weights/hostTensor';
import { isNpy, readNpy } from '../weights/npy';
import { readTorchFile, stateDictTensors } from '../weights/pytorch';
import { isSafetensors, readSafetensors } from '../weights/safetensors';
import { isZip, ZipReader } from '../weights/zip';
import type { ModelFileFormat } from '../../protocol/engine/modelFiles';
import { isOnnx, readOnnx } from './onnxReader';

export interface RawTensor extends HostTensor {
  name: string;
  dtype: string;
}

export interface RawFile {
  format: ModelFileFormat;
  tensors: RawTensor[];
  metadata: Record<string, string>;
  notes: string[];
}

const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'f32', HalfStorage: 'f16', BFloat16Storage: 'bf16', DoubleStorage: 'f64', LongStorage: 'i64',
  IntStorage: 'i32', ShortStorage: 'i16', CharStorage: 'i8', ByteStorage: 'u8', BoolStorage: 'bool',
};

/** The storage types named in a torch zip's data.pkl: one element type for all tensors when there is one. */
function torchDtype(buf: Uint8Array): string | undefined {
  if (!isZip(buf)) return undefined;
  try {
    const zip = new ZipReader(buf);
    const pkl = [...zip.entries.keys()].find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
    if (!pkl) return undefined;
    const text = Buffer.from(zip.read(pkl)).toString('latin1');
    const types = new Set([...text.matchAll(/torch\n(\w+Storage)\n/g)].map((m) => m[1]));
    return types.size === 1 ? STORAGE_DTYPES[[...types][0]] : undefined;
  } catch {
    return undefined;
  }
}

function safetensorsDtypes(buf: Uint8Array): Record<string, string> {
  const n = Number(new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8')) as Record<string, { dtype?: string }>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(header)) if (k !== '__metadata__' && v?.dtype) out[k] = v.dtype.toLowerCase();
  return out;
}

export function readRawTensors(buf: Uint8Array, path: string): RawFile {
  const notes: string[] = [];
  if (isNpy(buf)) {
    const v = readNpy(buf);
    if (v.kind === 'numeric') return { format: 'npy', tensors: [{ name: basename(path), dtype: 'f32', ...v.tensor }], metadata: {}, notes: ['a single NumPy array (values shown as float32)'] };
    const t = caffeNpyToCanonical(v);
    notes.push('bvlc_alexnet.npy layout: layer names as in the file, shapes in the engine\'s layout (conv [kh, kw, in, out], dense [in, out])');
    return { format: 'npy', tensors: Object.entries(t).map(([name, x]) => ({ name, dtype: 'f32', ...x })), metadata: {}, notes };
  }
  if (isSafetensors(buf)) {
    const { tensors, metadata } = readSafetensors(buf);
    const dtypes = safetensorsDtypes(buf);
    let base;
    try {
      base = parseBaseWeightsRef(metadata);
    } catch (e) {
      notes.push((e as Error).message);
    }
    if (base) notes.push(`a training run's trained layers only (${Object.keys(tensors).filter((n) => !n.includes('/')).join(', ')}); the others come from ${base.path} (SHA-256 ${base.sha256.slice(0, 16)}…) when the model is loaded`);
    return { format: 'safetensors', tensors: Object.entries(tensors).map(([name, x]) => ({ name, dtype: dtypes[name] ?? 'f32', ...x })), metadata, notes };
  }
  if (/\.onnx$/i.test(path) || isOnnx(buf)) {
    const o = readOnnx(buf);
    if (o.external.length) notes.push(`${o.external.length} tensors keep their data in a separate file (external data) and are not shown`);
    const metadata = { ...o.metadata, ...(o.producer ? { producer: o.producer } : {}), ...(o.opset ? { opset: String(o.opset) } : {}) };
    // scalars and small shape constants are graph plumbing, not weights
    const tensors = o.initializers.filter((t) => t.shape.length > 0 && t.dtype !== 'i64');
    return { format: 'onnx', tensors: tensors.map((t) => ({ name: t.name, shape: t.shape, data: t.data, dtype: t.dtype })), metadata, notes };
  }
  const tensors = stateDictTensors(readTorchFile(buf));
  const dtype = torchDtype(buf) ?? 'f32';
  return { format: 'pth', tensors: Object.entries(tensors).map(([name, x]) => ({ name, dtype, ...x })), metadata: {}, notes };
}
