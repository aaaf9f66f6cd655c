export type ElementType = 'f16' | 'bf16' | 'f32' | 'f64' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'bool';
export declare const ELEMENT_BYTES: Record<ElementType, number>;
/** Converts `count` elements starting at `bytes[0]` to float32. */
export declare function toFloat32(bytes: Uint8Array, type: ElementType, count: number, littleEndian?: boolean): Float32Array;
/** IEEE half -> number (subnormals, infinities and NaN included). */
export declare function halfToFloat(h: number): number;
/** Copies a strided view (PyTorch's size/stride/offset, in elements) into a contiguous row-major array. */
export declare function gatherStrided(storage: Float32Array, offset: number, size: readonly number[], stride: readonly number[]): Float32Array;
