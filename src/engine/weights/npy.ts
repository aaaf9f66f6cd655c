// NumPy's .npy (and .npz, a zip of .npy) files. Numeric arrays are read directly; an object
// array's payload is a pickle (bvlc_alexnet.npy holds a 0-d object array wrapping a dict), read
// with the restricted reader and only the globals numpy's array pickling uses.
import { ElementType, ELEMENT_BYTES, toFloat32 } from './dtypes';
import { HostTensor, numel } from './hostTensor';
import { AllowedGlobal, Buildable, CODECS_ENCODE, pyBytes, pyText, unpickle } from './pickle';
import { resolvePickled } from './resolvePickled';
import { ZipReader } from './zip';

/** The file is not a well-formed .npy (or its object payload is not a numpy array). */
export class NpyFormatError extends Error {}

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

/** A parsed numpy array: numbers as float32, or (dtype object) the Python objects it holds. */
export type NpyValue = { kind: 'numeric'; tensor: HostTensor } | { kind: 'object'; shape: number[]; objects: unknown[] };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(buf: Uint8Array): boolean {
  return buf.length >= 6 && MAGIC.every((b, i) => buf[i] === b);
}

export function parseNpyHeader(buf: Uint8Array): NpyHeader {
  if (!isNpy(buf)) throw new NpyFormatError('not a .npy file (no \\x93NUMPY magic)');
  if (buf.length < 10) throw new NpyFormatError('.npy header is cut short');
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const [len, start] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (major < 1 || major > 3) throw new NpyFormatError(`.npy format version ${major} is not supported`);
  if (start + len > buf.length) throw new NpyFormatError(`.npy header says it is ${len} bytes long, but the file has only ${buf.length - start} after the length field`);
  const text = Buffer.from(buf.buffer, buf.byteOffset + start, len).toString(major === 3 ? 'utf8' : 'latin1');
  // The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyFormatError(`.npy header not understood: ${text.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseInt(s.replace(/L$/, ''), 10));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyFormatError(`.npy header has a bad shape: (${shapeText})`);
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + len };
}

/** numpy type string ('<f4', '|u1', 'f8', 'O8', ...) -> element type and byte order. */
export function parseDescr(descr: string): { element: ElementType | 'object'; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) throw new NpyFormatError(`numpy dtype '${descr}' is not supported`);
  const [, order, kind, sizeText] = m;
  const size = sizeText ? parseInt(sizeText, 10) : 0;
  const littleEndian = order !== '>';
  if (kind === 'O') return { element: 'object', littleEndian };
  const table: Record<string, ElementType> = { f2: 'f16', f4: 'f32', f8: 'f64', i1: 'i8', i2: 'i16', i4: 'i32', i8: 'i64', u1: 'u8', u2: 'u16', u4: 'u32', u8: 'u64', b1: 'bool' };
  const element = table[`${kind}${size}`];
  if (!element) throw new NpyFormatError(`numpy dtype '${descr}' is not supported`);
  return { element, littleEndian };
}

/** Row-major float32 data from raw array bytes (Fortran order transposed). */
function numericArray(bytes: Uint8Array, element: ElementType, littleEndian: boolean, shape: number[], fortranOrder: boolean): HostTensor {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new NpyFormatError(`array shape (${shape.join(', ')}) is not a tuple of non-negative ints`);
  const count = numel(shape);
  if (!Number.isSafeInteger(count)) throw new NpyFormatError(`array shape (${shape.join(', ')}) has more elements than any file holds`);
  if (bytes.byteLength < count * ELEMENT_BYTES[element]) throw new NpyFormatError(`array data is cut short: ${bytes.byteLength} of ${count * ELEMENT_BYTES[element]} bytes`);
  let data = toFloat32(bytes, element, count, littleEndian);
  if (fortranOrder && shape.length > 1) data = fortranToC(data, shape);
  return { shape: [...shape], data };
}

function fortranToC(src: Float32Array, shape: number[]): Float32Array {
  const nd = shape.length;
  const fStride = new Array<number>(nd);
  for (let d = 0, s = 1; d < nd; d++) { fStride[d] = s; s *= shape[d]; }
  const out = new Float32Array(src.length);
  const idx = new Array<number>(nd).fill(0);
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[from];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      from += fStride[d];
      if (idx[d] < shape[d]) break;
      from -= fStride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

export function readNpy(buf: Uint8Array): NpyValue {
  const h = parseNpyHeader(buf);
  const { element, littleEndian } = parseDescr(h.descr);
  const body = buf.subarray(h.dataOffset);
  if (element !== 'object') return { kind: 'numeric', tensor: numericArray(body, element, littleEndian, h.shape, h.fortranOrder) };
  const { value } = unpickle(body, { globals: numpyGlobals() });
  if (!(value instanceof PickledArray)) throw new NpyFormatError('the .npy object payload is not a numpy array');
  const arr = value.result();
  return arr.kind === 'object' ? { ...arr, objects: resolveArrays(arr.objects) as unknown[] } : arr;
}

/** Every array of a .npz archive by name (without the .npy suffix). */
export function readNpz(buf: Uint8Array): Record<string, NpyValue> {
  const zip = new ZipReader(buf);
  const out: Record<string, NpyValue> = {};
  for (const name of zip.entries.keys()) if (name.endsWith('.npy')) out[name.slice(0, -4)] = readNpy(zip.read(name));
  return out;
}

// ---- numpy's pickling of arrays: _reconstruct(ndarray, (0,), b'b') then BUILD(state) ----

class PickledDtype implements Buildable {
  littleEndian = true;
  constructor(readonly code: string) {}
  setState(state: unknown): void {
    // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
    const order = Array.isArray(state) ? pyText(state[1]) : undefined;
    if (order === '>') this.littleEndian = false;
  }
}

class PickledArray implements Buildable {
  private value?: NpyValue;
  setState(state: unknown): void {
    // numpy sets an array's state once; a pickle that repeats it would copy the data each time.
    if (this.value) throw new NpyFormatError('numpy array state is set twice in the pickle');
    if (!Array.isArray(state)) throw new NpyFormatError('numpy array state is not a tuple');
    // version 1: (1, shape, dtype, is_fortran, data); older: (shape, dtype, is_fortran, data)
    const [shape, dtype, fortran, data] = state.length === 5 ? state.slice(1) : state;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) throw new NpyFormatError('numpy array state: bad shape');
    if (!(dtype instanceof PickledDtype)) throw new NpyFormatError('numpy array state: no dtype');
    const { element } = parseDescr(dtype.code);
    if (element === 'object') {
      if (!Array.isArray(data)) throw new NpyFormatError('numpy object array state: data is not a list');
      this.value = { kind: 'object', shape: shape as number[], objects: data };
      return;
    }
    const bytes = pyBytes(data);
    if (!bytes) throw new NpyFormatError('numpy array state: data is not bytes');
    this.value = { kind: 'numeric', tensor: numericArray(bytes, element, dtype.littleEndian, shape as number[], fortran === true) };
  }
  result(): NpyValue {
    if (!this.value) throw new NpyFormatError('numpy array was never given its data');
    return this.value;
  }
}

/** Replaces the pickled arrays nested in an object array's contents by their NpyValues (shared ones once). */
function resolveArrays(x: unknown): unknown {
  return resolvePickled(x, (v) => (v instanceof PickledArray ? v.result() : undefined));
}

function numpyGlobals(): Record<string, AllowedGlobal> {
  const g: Record<string, AllowedGlobal> = {};
  for (const mod of ['numpy.core.multiarray', 'numpy._core.multiarray']) {
    g[`${mod}._reconstruct`] = { qualifiedName: `${mod}._reconstruct`, call: () => new PickledArray() };
    g[`${mod}.scalar`] = {
      qualifiedName: `${mod}.scalar`,
      call: ([dtype, data]) => {
        const bytes = pyBytes(data);
        if (!(dtype instanceof PickledDtype) || !bytes) throw new NpyFormatError('numpy scalar: bad arguments');
        const { element, littleEndian } = parseDescr(dtype.code);
        if (element === 'object') throw new NpyFormatError('numpy object scalars are not supported');
        return toFloat32(bytes, element, 1, littleEndian)[0];
      },
    };
  }
  g['_codecs.encode'] = CODECS_ENCODE;
  g['numpy.ndarray'] = { qualifiedName: 'numpy.ndarray' };
  g['numpy.dtype'] = {
    qualifiedName: 'numpy.dtype',
    call: ([code]) => {
      const c = pyText(code);
      if (c === undefined) throw new NpyFormatError('numpy dtype: bad type code');
      return new PickledDtype(c);
    },
  };
  return g;
}
