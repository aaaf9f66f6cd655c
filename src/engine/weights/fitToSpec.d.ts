import { ModelSpec, SpecOptions, VariantName } from '../model/spec';
import { HostTensor } from './hostTensor';
import { KeyStyle } from './pytorchKeys';
export declare class WeightsMismatchError extends Error {
    readonly missing: string[];
    readonly unexpected: string[];
    readonly misshaped: string[];
    constructor(message: string, missing: string[], unexpected: string[], misshaped: string[]);
}
/** The variant the tensors themselves describe: metadata first, then grouping, key names and widths. */
export declare function detectVariant(params: Record<string, HostTensor>, keyStyle: KeyStyle, metadata?: Record<string, string>): VariantName;
/** Channel counts and widths as the file has them (for loading reduced or retrained networks). */
export declare function inferSpecOptions(params: Record<string, HostTensor>): SpecOptions;
/** The spec to load into: a given spec, a variant (its own widths, the file's class count), or the file's own. */
export declare function resolveSpec(target: ModelSpec | VariantName | 'auto', natural: VariantName, params: Record<string, HostTensor>): ModelSpec;
/**
 * Grouped (Caffe) conv weights made into the full convs an ungrouped spec expects, block-diagonally
 * with exact zeros across groups. Only conv layers whose input depth divides the spec's are touched.
 */
export declare function expandGroupsForSpec(params: Record<string, HostTensor>, spec: ModelSpec): {
    params: Record<string, HostTensor>;
    expanded: string[];
};
/** Throws one WeightsMismatchError listing every missing, unexpected and mis-shaped tensor. */
export declare function assertFits(spec: ModelSpec, params: Record<string, HostTensor>, fileName: string, natural: VariantName, sources?: Record<string, string>): void;
