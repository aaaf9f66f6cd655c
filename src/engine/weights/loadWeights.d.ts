import type { ModelSpec, VariantName } from '../model/spec';
import { HostTensor } from './hostTensor';
import { KeyStyle } from './pytorchKeys';
export type WeightsFormat = 'pth' | 'npy' | 'safetensors';
export type WeightsTarget = ModelSpec | VariantName | 'auto';
export interface LoadedWeights {
    /** canonical name -> float32 tensor in canonical layout, in paramShapes(spec) order */
    params: Record<string, HostTensor>;
    variant: VariantName;
    /** the spec the params fit (the given one, or the variant with the file's widths/classes) */
    spec: ModelSpec;
    /** from our safetensors' metadata (`classNames`, a JSON array) */
    classNames?: string[];
    metadata: Record<string, string>;
    source: {
        path: string;
        format: WeightsFormat;
        keyStyle: KeyStyle;
        /** the variant the file itself holds */
        fileVariant: VariantName;
        /** conv layers expanded from grouped (Caffe) to full convs */
        expandedGroups: string[];
    };
}
export declare class WeightsFileError extends Error {
}
/** Reads and maps a weights file. `target`: a spec, a variant name, or 'auto' (the file's own variant and widths). */
export declare function loadWeightsFile(path: string, target?: WeightsTarget): Promise<LoadedWeights>;
export declare function loadWeightsBuffer(buf: Uint8Array, path: string, target?: WeightsTarget): LoadedWeights;
