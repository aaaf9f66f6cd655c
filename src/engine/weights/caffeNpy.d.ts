import { HostTensor } from './hostTensor';
import { NpyValue } from './npy';
/** The canonical tensors of a Caffe-converted .npy (a 0-d object array holding the dict). */
export declare function caffeNpyToCanonical(value: NpyValue): Record<string, HostTensor>;
