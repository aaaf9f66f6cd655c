import { HostTensor } from './hostTensor';
export declare class TruncatedFileError extends Error {
}
/** Reads a .pth (zip or legacy) into the unpickled object, tensors as HostTensors. */
export declare function readTorchFile(buf: Uint8Array): unknown;
/**
 * The tensors of a state_dict, by key. Accepts a bare state_dict, or a checkpoint dict holding one
 * under 'state_dict' / 'model' / 'model_state_dict'; strips DataParallel's 'module.' prefix.
 */
export declare function stateDictTensors(obj: unknown): Record<string, HostTensor>;
