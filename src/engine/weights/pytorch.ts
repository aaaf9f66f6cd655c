// PyTorch weight files: torch.save's zip format (PyTorch >= 1.6) and the older pickle-stream
// format (torchvision's original alexnet-owt-7be5be79.pth is one). Only tensors come out:
// the pickle runs through the restricted reader with the handful of globals a state_dict uses.
import { ELEMENT_BYTES, ElementType, gatherStrided, toFloat32 } from './dtypes';
import { HostTensor, numel } from './hostTensor';
import { AllowedGlobal, PyDict, pyText, unpickle } from './pickle';
import { resolvePickled } from './resolvePickled';
import { isZip, ZipReader } from './zip';

export class TruncatedFileError extends Error {}

const STORAGE_TYPES: Record<string, ElementType> = {
  FloatStorage: 'f32', HalfStorage: 'f16', BFloat16Storage: 'bf16', DoubleStorage: 'f64',
  LongStorage: 'i64', IntStorage: 'i32', ShortStorage: 'i16', CharStorage: 'i8', ByteStorage: 'u8', BoolStorage: 'bool',
};

class StorageType implements AllowedGlobal {
  constructor(readonly qualifiedName: string, readonly element: ElementType) {}
}

/** More elements than any one tensor of a weights file holds (fc6 of AlexNet has 37.7M): 1 GiB of float32. */
const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** A storage named by a persistent id; its data arrives after the pickle is read (zip and legacy alike). */
class StorageRef {
  data?: Float32Array;
  /** elements its tensors reach: only these are read, and a deflated entry must not inflate past them */
  needed = 0;
  constructor(readonly key: string, readonly element: ElementType, readonly numel: number) {}
}

class PendingTensor {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[], readonly reach: number) {}
  resolve(): HostTensor {
    if (!this.storage.data) throw new TorchFileError(`storage ${this.storage.key} was never written in the file`);
    return { shape: [...this.size], data: gatherStrided(this.storage.data, this.offset, this.size, this.stride) };
  }
}

/** The file is a torch.save file whose records make no sense (not merely cut short). */
export class TorchFileError extends Error {}

function ints(x: unknown, what: string): number[] {
  if (!Array.isArray(x) || !x.every((v) => Number.isInteger(v))) throw new TorchFileError(`malformed tensor record: ${what} is not a tuple of ints`);
  if (!x.every((v) => Number.isSafeInteger(v))) throw new TorchFileError(`malformed tensor record: ${what} (${x.join(', ')}) overflows`);
  if (x.some((v) => v < 0)) throw new TorchFileError(`malformed tensor record: negative ${what} (${x.join(', ')}), which PyTorch itself refuses to load`);
  return x as number[];
}

/** Checks a view against its storage before any data is read; returns the elements it reaches. */
function viewReach(storage: StorageRef, offset: number, size: number[], stride: number[]): number {
  const where = `tensor view [offset ${offset}, size (${size.join(', ')}), stride (${stride.join(', ')})]`;
  if (size.length !== stride.length) throw new TorchFileError(`malformed tensor record: ${where} has ${size.length} sizes but ${stride.length} strides`);
  let count = 1;
  let last = offset;
  for (let d = 0; d < size.length; d++) {
    count *= size[d];
    if (size[d] > 0) last += (size[d] - 1) * stride[d];
  }
  if (count === 0) return 0;
  if (!Number.isSafeInteger(last) || !Number.isSafeInteger(count)) throw new TorchFileError(`malformed tensor record: ${where} overflows`);
  if (last >= storage.numel) throw new TorchFileError(`malformed tensor record: ${where} reaches past its storage of ${storage.numel} elements`);
  if (count > MAX_TENSOR_ELEMENTS) throw new TorchFileError(`malformed tensor record: ${where} has ${count} elements, more than a weights tensor holds`);
  if (count > last - offset + 1) throw new TorchFileError(`malformed tensor record: ${where} repeats its storage (overlapping strides), which a saved weight never does`);
  return last + 1;
}

function torchGlobals(pending: PendingTensor[] = []): Record<string, AllowedGlobal> {
  const rebuildTensor = (args: unknown[]): PendingTensor => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef)) throw new TorchFileError('malformed tensor record: no storage');
    if (!Number.isSafeInteger(offset)) throw new TorchFileError('malformed tensor record: the storage offset is not an int');
    if ((offset as number) < 0) throw new TorchFileError(`malformed tensor record: negative storage offset ${offset as number}`);
    const sz = ints(size, 'size');
    const st = ints(stride, 'stride');
    const reach = viewReach(storage, offset as number, sz, st);
    storage.needed = Math.max(storage.needed, reach);
    const t = new PendingTensor(storage, offset as number, sz, st, reach);
    pending.push(t);
    return t;
  };
  const g: Record<string, AllowedGlobal> = {
    'collections.OrderedDict': { qualifiedName: 'collections.OrderedDict', call: () => new PyDict() },
    'torch._utils._rebuild_tensor_v2': { qualifiedName: 'torch._utils._rebuild_tensor_v2', call: rebuildTensor },
    'torch._utils._rebuild_tensor': { qualifiedName: 'torch._utils._rebuild_tensor', call: rebuildTensor },
    // nn.Parameter(data, requires_grad, hooks[, state]): the data is what we want.
    'torch._utils._rebuild_parameter': { qualifiedName: 'torch._utils._rebuild_parameter', call: (a) => a[0] },
    'torch._utils._rebuild_parameter_with_state': { qualifiedName: 'torch._utils._rebuild_parameter_with_state', call: (a) => a[0] },
  };
  for (const [name, element] of Object.entries(STORAGE_TYPES)) g[`torch.${name}`] = new StorageType(`torch.${name}`, element);
  return g;
}

function storageFromPid(pid: unknown, storages: Map<string, StorageRef>): StorageRef {
  // ('storage', torch.FloatStorage, key, location, numel[, view_metadata (legacy)])
  if (!Array.isArray(pid) || pyText(pid[0]) !== 'storage') throw new TorchFileError('malformed persistent id in the pickle');
  const [, type, rawKey, , count, view] = pid;
  if (!(type instanceof StorageType)) throw new TorchFileError('persistent id without a storage type');
  const key = pyText(rawKey);
  if (key === undefined || !Number.isSafeInteger(count) || (count as number) < 0) throw new TorchFileError('malformed storage record in the pickle');
  if (view !== undefined && view !== null) throw new TorchFileError('storage views (legacy view_metadata) are not supported');
  let s = storages.get(key);
  if (!s) {
    s = new StorageRef(key, type.element, count as number);
    storages.set(key, s);
  } else if (s.element !== type.element || s.numel !== count) {
    throw new TorchFileError(`storage ${key} is described twice, differently`);
  }
  return s;
}

/** Tensors in place of the pending views; shared containers resolved once (linear in the file). */
function resolveTensors(x: unknown): unknown {
  return resolvePickled(x, (v) => (v instanceof PendingTensor ? v.resolve() : undefined));
}

/** Reads a .pth (zip or legacy) into the unpickled object, tensors as HostTensors. */
export function readTorchFile(buf: Uint8Array): unknown {
  if (isZip(buf)) return readZipFormat(buf);
  if (isLegacyFormat(buf)) return readLegacyFormat(buf);
  if (buf.length >= 262 && Buffer.from(buf.subarray(257, 262)).toString('latin1') === 'ustar')
    throw new Error('this is a PyTorch file in the tar format of PyTorch < 0.1.10, which is not supported: re-save it with a current torch.save');
  throw new TruncatedFileError('not a zip archive and not a legacy torch.save pickle');
}

/** data.pkl of a state_dict is kilobytes; this is far above any real one. */
const MAX_PICKLE_BYTES = 64 * 2 ** 20;

function readZipFormat(buf: Uint8Array): unknown {
  const zip = new ZipReader(buf);
  const pkl = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkl.length !== 1) throw new TorchFileError(pkl.length ? 'the archive holds several data.pkl records' : 'the archive has no data.pkl: not a torch.save file');
  const prefix = pkl[0].slice(0, -'data.pkl'.length); // torch writes '<file stem>/'; never assume the stem
  const byteorder = zip.entries.has(`${prefix}byteorder`) ? Buffer.from(zip.read(`${prefix}byteorder`, 16)).toString('latin1').trim() : 'little';
  const littleEndian = byteorder !== 'big';
  const storages = new Map<string, StorageRef>();
  const pending: PendingTensor[] = [];
  const { value } = unpickle(zip.read(pkl[0], MAX_PICKLE_BYTES), {
    globals: torchGlobals(pending),
    persistentLoad: (pid) => storageFromPid(pid, storages),
  });
  // Only now, with every view known, is storage data read: no entry inflates past what its tensors reach.
  for (const s of storages.values()) {
    if (s.needed === 0) {
      s.data = new Float32Array(0);
      continue;
    }
    const name = `${prefix}data/${s.key}`;
    const bytes = ELEMENT_BYTES[s.element];
    const raw = zip.read(name, s.needed * bytes);
    const have = Math.floor(raw.byteLength / bytes);
    if (have < s.needed) throw new TruncatedFileError(`storage ${s.key} holds ${have} of the ${s.needed} elements its tensors use`);
    s.data = toFloat32(raw, s.element, s.needed, littleEndian);
  }
  return resolveTensors(value);
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function isLegacyFormat(buf: Uint8Array): boolean {
  // PROTO 2, LONG1 of 10 bytes: the magic number torch.save wrote before 1.6
  if (buf.length < 14 || buf[0] !== 0x80 || buf[2] !== 0x8a || buf[3] !== 0x0a) return false;
  let v = 0n;
  for (let i = 13; i >= 4; i--) v = (v << 8n) | BigInt(buf[i]);
  return v === LEGACY_MAGIC;
}

function readLegacyFormat(buf: Uint8Array): unknown {
  const opts = { globals: torchGlobals() };
  let pos = unpickle(buf, opts).end; // magic
  const version = unpickle(buf, opts, pos);
  if (version.value !== 1001) throw new TorchFileError(`unknown legacy torch.save protocol ${String(version.value)}`);
  const sysInfo = unpickle(buf, opts, version.end);
  const info = sysInfo.value;
  if (info instanceof PyDict && info.get('little_endian') === false) throw new TorchFileError('big-endian legacy torch files are not supported');
  const storages = new Map<string, StorageRef>();
  const main = unpickle(buf, { globals: torchGlobals(), persistentLoad: (pid) => storageFromPid(pid, storages) }, sysInfo.end);
  const keys = unpickle(buf, opts, main.end);
  pos = keys.end;
  if (!Array.isArray(keys.value)) throw new TorchFileError('legacy torch file: storage key list missing');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const k of keys.value) {
    const key = pyText(k) ?? String(k);
    const s = storages.get(key);
    if (pos + 8 > buf.length) throw new TruncatedFileError(`storage ${key} is missing`);
    const count = Number(view.getBigInt64(pos, true));
    pos += 8;
    if (!s) throw new TorchFileError(`legacy torch file: storage ${key} is not used by any tensor`);
    if (count < 0 || count !== s.numel) throw new TorchFileError(`legacy torch file: storage ${key} says it holds ${count} elements, its record says ${s.numel}`);
    const bytes = count * ELEMENT_BYTES[s.element];
    if (pos + bytes > buf.length) throw new TruncatedFileError(`storage ${key} is cut short`);
    s.data = toFloat32(buf.subarray(pos, pos + bytes), s.element, Math.min(count, s.needed));
    pos += bytes;
  }
  return resolveTensors(main.value);
}

/**
 * The tensors of a state_dict, by key. Accepts a bare state_dict, or a checkpoint dict holding one
 * under 'state_dict' / 'model' / 'model_state_dict'; strips DataParallel's 'module.' prefix.
 */
export function stateDictTensors(obj: unknown): Record<string, HostTensor> {
  if (!(obj instanceof PyDict)) throw new Error('the file holds no dict of tensors (a whole pickled model cannot be read safely: save model.state_dict() instead)');
  const isTensor = (v: unknown): v is HostTensor => typeof v === 'object' && v !== null && (v as HostTensor).data instanceof Float32Array;
  let dict: PyDict = obj;
  if (![...dict.values()].some(isTensor)) {
    for (const k of ['state_dict', 'model', 'model_state_dict', 'net']) {
      const inner = dict.get(k);
      if (inner instanceof PyDict && [...inner.values()].some(isTensor)) {
        dict = inner;
        break;
      }
    }
  }
  const out: Record<string, HostTensor> = {};
  const keys = [...dict.keys()].map(String);
  const stripModule = keys.length > 0 && keys.every((k) => k.startsWith('module.'));
  for (const [k, v] of dict) {
    if (!isTensor(v)) continue;
    if (v.data.length !== numel(v.shape)) throw new Error(`tensor ${String(k)} has inconsistent data`);
    out[stripModule ? String(k).slice(7) : String(k)] = v;
  }
  if (!Object.keys(out).length) throw new Error('the file holds no tensors');
  return out;
}
