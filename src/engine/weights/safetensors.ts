// safetensors: our own format for saved and trained weights (canonical names and layout).
// Layout: u64 little-endian header length, JSON header {name: {dtype, shape, data_offsets},
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes.
import { ElementType, toFloat32 } from './dtypes';
import { HostTensor, numel } from './hostTensor';
import { openReplacement } from './replaceFile';

const DTYPES: Record<string, ElementType> = {
  F16: 'f16', BF16: 'bf16', F32: 'f32', F64: 'f64', I8: 'i8', U8: 'u8', I16: 'i16', U16: 'u16', I32: 'i32', U32: 'u32', I64: 'i64', U64: 'u64', BOOL: 'bool',
};
const SIZES: Record<string, number> = { F16: 2, BF16: 2, F32: 4, F64: 8, I8: 1, U8: 1, I16: 2, U16: 2, I32: 4, U32: 4, I64: 8, U64: 8, BOOL: 1 };

export interface SafetensorsContent {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
}

/** The file is a safetensors file with a header that contradicts itself or the data. */
export class SafetensorsFormatError extends Error {}

/** Recognised by the JSON header's '{' after the 8-byte length; the length itself is checked when read. */
export function isSafetensors(buf: Uint8Array): boolean {
  return buf.length >= 10 && buf[8] === 0x7b; // '{'
}

/** The reference implementation caps the header at 100 MB; ours are a few KB. */
const MAX_HEADER_BYTES = 100_000_000;

/** A header value as the message shows it ("missing" rather than "undefined"). */
const shown = (x: unknown) => (x === undefined ? 'missing' : JSON.stringify(x).slice(0, 80));

export function readSafetensors(buf: Uint8Array): SafetensorsContent {
  const fail = (why: string) => new SafetensorsFormatError(why);
  if (buf.length < 8) throw fail('safetensors file is cut short (no header length)');
  const headerLen = new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(buf.length - 8)) throw fail(`safetensors header length ${headerLen} is larger than the ${buf.length - 8} bytes that follow it: the file is cut short or damaged`);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw fail(`safetensors header length ${headerLen} is over the format's limit of ${MAX_HEADER_BYTES} bytes`);
  const start = 8 + Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, Number(headerLen)).toString('utf8'));
  } catch (e) {
    throw fail(`safetensors header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('safetensors header is not a JSON object');
  const entries = header as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  const rawMeta = entries.__metadata__;
  if (rawMeta && typeof rawMeta === 'object') for (const [k, v] of Object.entries(rawMeta)) metadata[k] = String(v);
  const tensors: Record<string, HostTensor> = {};
  const dataLen = buf.length - start;
  for (const [name, info] of Object.entries(entries)) {
    if (name === '__metadata__') continue;
    if (typeof info !== 'object' || info === null) throw fail(`tensor ${name}: malformed header entry (not an object)`);
    const { dtype, shape, data_offsets: offs } = info as { dtype: unknown; shape: unknown; data_offsets: unknown };
    const element = typeof dtype === 'string' && Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : undefined;
    if (!element) throw fail(`tensor ${name}: safetensors dtype ${shown(dtype)} is not supported`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw fail(`tensor ${name}: shape ${shown(shape)} is not a list of non-negative ints`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) throw fail(`tensor ${name}: data_offsets ${shown(offs)} are not two non-negative ints`);
    const count = numel(shape as number[]);
    if (!Number.isSafeInteger(count * SIZES[dtype as string]) || offs[1] - offs[0] !== count * SIZES[dtype as string]) throw fail(`tensor ${name}: data_offsets do not match its shape`);
    if (offs[1] > dataLen) throw fail(`safetensors file is cut short (tensor ${name} runs past the end)`);
    tensors[name] = { shape: [...(shape as number[])], data: toFloat32(buf.subarray(start + offs[0], start + offs[1]), element, count) };
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
  await (await writeSafetensors(path, tensors, metadata)).committed;
}

/**
 * saveSafetensors in two stages: resolves once every byte is written (the tensors may change from
 * then on); `committed` resolves once the file is flushed to the disk and renamed over the target,
 * which a caller may let run on. Until then the old file is intact; a failed commit removes the
 * temporary file and rejects `committed`. `recycle`: write into the file this one replaced last time
 * (replaceFile.ts), for files rewritten every epoch: a finetune checkpoint and best file, 730 MB,
 * then took 0.08-0.12 s to write and 0.1-0.2 s more to commit here, against 4-5 s of system time
 * for new files.
 */
export async function writeSafetensors(path: string, tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}, opts: { recycle?: boolean } = {}): Promise<{ committed: Promise<void> }> {
  // Written from the tensors' own memory (for a checkpoint: views on the wasm heap), never gathered
  // into one buffer: a model-sized copy page-faults in hundreds of MB per checkpoint. One writev for
  // all of it: each write's completion waits for the event loop, which onnxruntime-node's run blocks
  // (it runs on the main thread), so a write per tensor took one training step each to finish.
  const { head } = safetensorsHeader(tensors, metadata);
  const out = await openReplacement(path, opts);
  let position = 0;
  try {
    const rest = [head, ...Object.values(tensors).map(bytesOf)].filter((b) => b.length);
    while (rest.length) {
      // Linux writes at most about 2 GB at a time: the rest goes in another call
      let { bytesWritten } = await out.fh.writev(rest, position);
      if (!bytesWritten) throw new Error(`${path}: the disk took no bytes`);
      position += bytesWritten;
      while (rest.length && bytesWritten >= rest[0].length) bytesWritten -= rest.shift()!.length;
      if (bytesWritten) rest[0] = rest[0].subarray(bytesWritten);
    }
  } catch (e) {
    await out.abort();
    throw e;
  }
  const committed = out.commit(position);
  committed.catch(() => undefined); // the caller awaits it later: no unhandled-rejection report meanwhile
  return { committed };
}
