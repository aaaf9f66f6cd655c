// Typed arrays as they arrive through postMessage (a typed array, its buffer, or, over some
// channels, a plain object of indices).
export function asFloat32(x: unknown): Float32Array {
  if (x instanceof Float32Array) return x;
  if (x instanceof ArrayBuffer) return new Float32Array(x);
  if (ArrayBuffer.isView(x)) return new Float32Array(x.buffer, x.byteOffset, x.byteLength / 4);
  if (Array.isArray(x)) return Float32Array.from(x as number[]);
  if (x && typeof x === 'object') return Float32Array.from(Object.values(x as Record<string, number>));
  return new Float32Array(0);
}

export function asUint8(x: unknown): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (Array.isArray(x)) return Uint8Array.from(x as number[]);
  if (x && typeof x === 'object') return Uint8Array.from(Object.values(x as Record<string, number>));
  return new Uint8Array(0);
}
