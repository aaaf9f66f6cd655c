import { ElementType } from './dtypes';
import { HostTensor } from './hostTensor';
export interface NpyHeader {
    descr: string;
    fortranOrder: boolean;
    shape: number[];
    dataOffset: number;
}
/** A parsed numpy array: numbers as float32, or (dtype object) the Python objects it holds. */
export type NpyValue = {
    kind: 'numeric';
    tensor: HostTensor;
} | {
    kind: 'object';
    shape: number[];
    objects: unknown[];
};
export declare function isNpy(buf: Uint8Array): boolean;
export declare function parseNpyHeader(buf: Uint8Array): NpyHeader;
/** numpy type string ('<f4', '|u1', 'f8', 'O8', ...) -> element type and byte order. */
export declare function parseDescr(descr: string): {
    element: ElementType | 'object';
    littleEndian: boolean;
};
export declare function readNpy(buf: Uint8Array): NpyValue;
/** Every array of a .npz archive by name (without the .npy suffix). */
export declare function readNpz(buf: Uint8Array): Record<string, NpyValue>;
