// safetensors: our own format for saved and trained weights (canonical names and layout).
// Layout: u64 little-endian header length, JSON header {name: {dtype, shape, data_offsets},
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ElementType, toFloat32 } from './dtypes';
import { HostTensor, numel } from './hostTensor';

const DTYPES: Record<string, ElementType> = {
  F16: 'f16', BF16: 'bf16', F32: 'f32', F64: 'f64', I8: 'i8', U8: 'u8', I16: 'i16', U16: 'u16', I32: 'i32', U32: 'u32', I64: 'i64', U64: 'u64', BOOL: 'bool',
};
const SIZES: Record<string, number> = { F16: 2, BF16: 2, F32: 4, F64: 8, I8: 1, U8: 1, I16: 2, U16: 2, I32: 4, U32: 4, I64: 8, U64: 8, BOOL: 1 };

export interface SafetensorsContent {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
}

export function isSafetensors(buf: Uint8Array): boolean {
  if (buf.length < 10) return false;
  const n = new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
  return n > 1n && n <= BigInt(buf.length - 8) && buf[8] === 0x7b; // '{'
}

export function readSafetensors(buf: Uint8Array): SafetensorsContent {
  if (buf.length < 8) throw new Error('safetensors file is cut short (no header length)');
  const headerLen = new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(buf.length - 8)) throw new Error('safetensors file is cut short (header runs past the end)');
  const start = 8 + Number(headerLen);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, Number(headerLen)).toString('utf8'));
  } catch (e) {
    throw new Error(`safetensors header is not JSON: ${(e as Error).message}`);
  }
  const metadata: Record<string, string> = {};
  const rawMeta = header.__metadata__;
  if (rawMeta && typeof rawMeta === 'object') for (const [k, v] of Object.entries(rawMeta)) metadata[k] = String(v);
  const tensors: Record<string, HostTensor> = {};
  const dataLen = buf.length - start;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offs } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const element = DTYPES[dtype];
    if (!element) throw new Error(`tensor ${name}: safetensors dtype ${dtype} is not supported`);
    if (!Array.isArray(shape) || !Array.isArray(offs) || offs.length !== 2) throw new Error(`tensor ${name}: malformed header entry`);
    const count = numel(shape);
    if (offs[1] - offs[0] !== count * SIZES[dtype] || offs[0] < 0) throw new Error(`tensor ${name}: data_offsets do not match its shape`);
    if (offs[1] > dataLen) throw new Error(`safetensors file is cut short (tensor ${name} runs past the end)`);
    tensors[name] = { shape: [...shape], data: toFloat32(buf.subarray(start + offs[0], start + offs[1]), element, count) };
  }
  return { tensors, metadata };
}

/** The file's bytes: tensors (float32) in the given order, header padded to 8 bytes as the reference writer does. */
/** The 8-byte length and the JSON header (padded to 8 bytes) that precede the tensors' bytes. */
function safetensorsHeader(tensors: Record<string, HostTensor>, metadata: Record<string, string>): { head: Buffer; dataBytes: number } {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new Error(`metadata ${k} must be a string (JSON-encode structured values)`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (t.data.length !== numel(t.shape)) throw new Error(`tensor ${name}: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json);
  json += ' '.repeat((8 - ((8 + jsonBytes) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const head = Buffer.allocUnsafe(8 + headerBytes.length);
  head.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(head, 8);
  return { head, dataBytes: offset };
}

// Float32Array bytes are little-endian on every platform Node runs on here.
const bytesOf = (t: HostTensor) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

export function encodeSafetensors(tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}): Buffer {
  const { head, dataBytes } = safetensorsHeader(tensors, metadata);
  const out = Buffer.allocUnsafe(head.length + dataBytes);
  head.copy(out, 0);
  let p = head.length;
  for (const t of Object.values(tensors)) {
    out.set(bytesOf(t), p);
    p += t.data.byteLength;
  }
  return out;
}

/** Writes atomically: a temporary file in the same folder, flushed, then renamed over the target. */
export async function saveSafetensors(path: string, tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}): Promise<void> {
  // Written tensor by tensor from their own memory (for a checkpoint: views on the wasm heap), never
  // gathered into one buffer: a model-sized copy page-faults in hundreds of MB per checkpoint.
  const { head } = safetensorsHeader(tensors, metadata);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.write(head);
      for (const t of Object.values(tensors)) {
        const bytes = bytesOf(t);
        for (let done = 0; done < bytes.length; ) done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
