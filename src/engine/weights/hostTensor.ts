// A tensor as the loaders hand it over: row-major float32 data and a shape. Plain typed arrays,
// so the loaders stay free of tfjs (the caller makes tf tensors, or writes safetensors).

/** Treat `data` as read-only: tensors read from one file may share it. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
