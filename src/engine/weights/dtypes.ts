// Raw little/big-endian element bytes -> Float32Array, for the element types weight files use.
// Everything becomes float32 because that is what the engine computes in.

export type ElementType = 'f16' | 'bf16' | 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'bool';

export const ELEMENT_BYTES: Record<ElementType, number> = {
  f16: 2, bf16: 2, f32: 4, f64: 8, i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8, bool: 1,
};

/** Converts `count` elements starting at `bytes[0]` to float32. */
export function toFloat32(bytes: Uint8Array, type: ElementType, count: number, littleEndian = true): Float32Array {
  const size = ELEMENT_BYTES[type];
  if (bytes.byteLength < count * size) throw new Error(`expected ${count * size} bytes of ${type} data, found ${bytes.byteLength}`);
  // Fast path: aligned little-endian float32 is a view on the file's bytes, no copy (a 233 MB
  // file would otherwise cost a second allocation and a copy at every model load). Loaded tensors
  // are read-only by contract (HostTensor), so sharing the buffer is safe.
  if (type === 'f32' && littleEndian && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Float32Array(count);
  if (type === 'f32' && littleEndian) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, count * size);
  const le = littleEndian;
  switch (type) {
    case 'f16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(v.getUint16(2 * i, le));
      break;
    case 'bf16': {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      for (let i = 0; i < count; i++) {
        u[0] = v.getUint16(2 * i, le) << 16;
        out[i] = f[0];
      }
      break;
    }
    case 'f32':
      for (let i = 0; i < count; i++) out[i] = v.getFloat32(4 * i, le);
      break;
    case 'f64':
      for (let i = 0; i < count; i++) out[i] = v.getFloat64(8 * i, le);
      break;
    case 'i8':
      for (let i = 0; i < count; i++) out[i] = v.getInt8(i);
      break;
    case 'u8':
    case 'bool':
      for (let i = 0; i < count; i++) out[i] = v.getUint8(i);
      break;
    case 'i16':
      for (let i = 0; i < count; i++) out[i] = v.getInt16(2 * i, le);
      break;
    case 'u16':
      for (let i = 0; i < count; i++) out[i] = v.getUint16(2 * i, le);
      break;
    case 'i32':
      for (let i = 0; i < count; i++) out[i] = v.getInt32(4 * i, le);
      break;
    case 'u32':
      for (let i = 0; i < count; i++) out[i] = v.getUint32(4 * i, le);
      break;
    case 'i64':
      for (let i = 0; i < count; i++) out[i] = Number(v.getBigInt64(8 * i, le));
      break;
    case 'u64':
      for (let i = 0; i < count; i++) out[i] = Number(v.getBigUint64(8 * i, le));
      break;
  }
  return out;
}

/** IEEE half -> number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Copies a strided view (PyTorch's size/stride/offset, in elements) into a contiguous row-major array. */
export function gatherStrided(storage: Float32Array, offset: number, size: readonly number[], stride: readonly number[]): Float32Array {
  const count = size.reduce((a, b) => a * b, 1);
  if (count === 0) return new Float32Array(0);
  let contiguous = true;
  for (let d = size.length - 1, expect = 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= size[d];
  }
  let maxIndex = offset;
  for (let d = 0; d < size.length; d++) maxIndex += (size[d] - 1) * stride[d];
  if (offset < 0 || maxIndex >= storage.length) throw new Error(`tensor view [offset ${offset}, size (${size.join(', ')}), stride (${stride.join(', ')})] reaches past its storage of ${storage.length} elements`);
  // A tensor that is its whole storage (the usual state_dict case) takes it as is: no second copy.
  if (contiguous) return offset === 0 && count === storage.length ? storage : storage.slice(offset, offset + count);
  const out = new Float32Array(count);
  const nd = size.length;
  const idx = new Array<number>(nd).fill(0);
  let src = offset;
  for (let i = 0; i < count; i++) {
    out[i] = storage[src];
    // odometer increment over the dims, last fastest
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      src += stride[d];
      if (idx[d] < size[d]) break;
      src -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
  return out;
}
