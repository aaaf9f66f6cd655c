import { HostTensor } from './hostTensor';
export interface SafetensorsContent {
    tensors: Record<string, HostTensor>;
    metadata: Record<string, string>;
}
export declare function isSafetensors(buf: Uint8Array): boolean;
export declare function readSafetensors(buf: Uint8Array): SafetensorsContent;
export declare function encodeSafetensors(tensors: Record<string, HostTensor>, metadata?: Record<string, string>): Buffer;
/** Writes atomically: a temporary file in the same folder, flushed, then renamed over the target. */
export declare function saveSafetensors(path: string, tensors: Record<string, HostTensor>, metadata?: Record<string, string>): Promise<void>;
