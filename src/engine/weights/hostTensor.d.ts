/** Treat `data` as read-only: tensors read from one file may share it. */
export interface HostTensor {
    shape: number[];
    data: Float32Array;
}
export declare function numel(shape: readonly number[]): number;
export declare function sameShape(a: readonly number[], b: readonly number[]): boolean;
export declare function formatShape(shape: readonly number[]): string;
