// PyTorch weight files: torch.save's zip format (PyTorch >= 1.6) and the older pickle-stream
// format (torchvision's original alexnet-owt-7be5be79.pth is one). Only tensors come out:
// the pickle runs through the restricted reader with the handful of globals a state_dict uses.
import { ELEMENT_BYTES, ElementType, gatherStrided, toFloat32 } from './dtypes';
import { HostTensor, numel } from './hostTensor';
import { AllowedGlobal, PyDict, pyText, unpickle } from './pickle';
import { isZip, ZipReader } from './zip';

export class TruncatedFileError extends Error {}

const STORAGE_TYPES: Record<string, ElementType> = {
  FloatStorage: 'f32', HalfStorage: 'f16', BFloat16Storage: 'bf16', DoubleStorage: 'f64',
  LongStorage: 'i64', IntStorage: 'i32', ShortStorage: 'i16', CharStorage: 'i8', ByteStorage: 'u8', BoolStorage: 'bool',
};

class StorageType implements AllowedGlobal {
  constructor(readonly qualifiedName: string, readonly element: ElementType) {}
}

/** A storage named by a persistent id; its data arrives now (zip) or after the pickle (legacy). */
class StorageRef {
  data?: Float32Array;
  constructor(readonly key: string, readonly element: ElementType, readonly numel: number) {}
}

class PendingTensor {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
  resolve(): HostTensor {
    if (!this.storage.data) throw new Error(`storage ${this.storage.key} was never written in the file`);
    return { shape: [...this.size], data: gatherStrided(this.storage.data, this.offset, this.size, this.stride) };
  }
}

function ints(x: unknown, what: string): number[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === 'number')) throw new Error(`malformed tensor record: ${what} is not a tuple of ints`);
  return x as number[];
}

function rebuildTensor(args: unknown[]): PendingTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw new Error('malformed tensor record: no storage');
  if (typeof offset !== 'number') throw new Error('malformed tensor record: storage offset');
  return new PendingTensor(storage, offset, ints(size, 'size'), ints(stride, 'stride'));
}

function torchGlobals(): Record<string, AllowedGlobal> {
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
  if (!Array.isArray(pid) || pyText(pid[0]) !== 'storage') throw new Error('malformed persistent id in the pickle');
  const [, type, rawKey, , count, view] = pid;
  if (!(type instanceof StorageType)) throw new Error('persistent id without a storage type');
  const key = pyText(rawKey);
  if (key === undefined || typeof count !== 'number') throw new Error('malformed storage record in the pickle');
  if (view !== undefined && view !== null) throw new Error('storage views (legacy view_metadata) are not supported');
  let s = storages.get(key);
  if (!s) {
    s = new StorageRef(key, type.element, count);
    storages.set(key, s);
  }
  return s;
}

function resolveTensors(x: unknown): unknown {
  if (x instanceof PendingTensor) return x.resolve();
  if (x instanceof PyDict) {
    const out = new PyDict();
    for (const [k, v] of x) out.set(k, resolveTensors(v));
    return out;
  }
  if (Array.isArray(x)) return x.map(resolveTensors);
  return x;
}

/** Reads a .pth (zip or legacy) into the unpickled object, tensors as HostTensors. */
export function readTorchFile(buf: Uint8Array): unknown {
  if (isZip(buf)) return readZipFormat(buf);
  if (isLegacyFormat(buf)) return readLegacyFormat(buf);
  if (buf.length >= 262 && Buffer.from(buf.subarray(257, 262)).toString('latin1') === 'ustar')
    throw new Error('this is a PyTorch file in the tar format of PyTorch < 0.1.10, which is not supported: re-save it with a current torch.save');
  throw new TruncatedFileError('not a zip archive and not a legacy torch.save pickle');
}

function readZipFormat(buf: Uint8Array): unknown {
  const zip = new ZipReader(buf);
  const pkl = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkl.length !== 1) throw new Error(pkl.length ? 'the archive holds several data.pkl records' : 'the archive has no data.pkl: not a torch.save file');
  const prefix = pkl[0].slice(0, -'data.pkl'.length); // torch writes '<file stem>/'; never assume the stem
  const byteorder = zip.entries.has(`${prefix}byteorder`) ? Buffer.from(zip.read(`${prefix}byteorder`)).toString('latin1').trim() : 'little';
  const littleEndian = byteorder !== 'big';
  const storages = new Map<string, StorageRef>();
  const { value } = unpickle(zip.read(pkl[0]), {
    globals: torchGlobals(),
    persistentLoad: (pid) => {
      const s = storageFromPid(pid, storages);
      if (!s.data) {
        const raw = zip.read(`${prefix}data/${s.key}`);
        s.data = toFloat32(raw, s.element, Math.min(s.numel, Math.floor(raw.byteLength / ELEMENT_BYTES[s.element])), littleEndian);
        if (s.data.length < s.numel) throw new TruncatedFileError(`storage ${s.key} holds ${s.data.length} of its ${s.numel} elements`);
      }
      return s;
    },
  });
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
  if (version.value !== 1001) throw new Error(`unknown legacy torch.save protocol ${String(version.value)}`);
  const sysInfo = unpickle(buf, opts, version.end);
  const info = sysInfo.value;
  if (info instanceof PyDict && info.get('little_endian') === false) throw new Error('big-endian legacy torch files are not supported');
  const storages = new Map<string, StorageRef>();
  const main = unpickle(buf, { ...opts, persistentLoad: (pid) => storageFromPid(pid, storages) }, sysInfo.end);
  const keys = unpickle(buf, opts, main.end);
  pos = keys.end;
  if (!Array.isArray(keys.value)) throw new Error('legacy torch file: storage key list missing');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const k of keys.value) {
    const key = pyText(k) ?? String(k);
    const s = storages.get(key);
    if (pos + 8 > buf.length) throw new TruncatedFileError(`storage ${key} is missing`);
    const count = Number(view.getBigInt64(pos, true));
    pos += 8;
    if (!s) throw new Error(`legacy torch file: storage ${key} is not used by any tensor`);
    const bytes = count * ELEMENT_BYTES[s.element];
    if (pos + bytes > buf.length) throw new TruncatedFileError(`storage ${key} is cut short`);
    s.data = toFloat32(buf.subarray(pos, pos + bytes), s.element, count);
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
