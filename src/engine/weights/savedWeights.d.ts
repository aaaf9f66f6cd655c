import type { ModelSpec } from '../model/spec';
import { HostTensor } from './hostTensor';
export declare const WEIGHTS_FORMAT_TAG = "alexnet-explorer-weights/1";
export interface SaveWeightsOptions {
    /** output index -> label; stored as the JSON string `classNames` */
    classNames?: string[];
    /** where the weights came from (a string, or anything JSON-serialisable: base file, dataset, epochs...) */
    provenance?: unknown;
    /** anything else the trainer wants to keep; values must be strings */
    extra?: Record<string, string>;
}
/** The `__metadata__` of a saved file. Structured values are JSON strings (safetensors allows only strings). */
export declare function weightsMetadata(spec: ModelSpec, opts?: SaveWeightsOptions): Record<string, string>;
/** Checks the params fit the spec, then writes them atomically (tmp file + rename). */
export declare function saveWeightsFile(path: string, spec: ModelSpec, params: Record<string, HostTensor>, opts?: SaveWeightsOptions): Promise<void>;
