// Saving a network's weights as our safetensors: canonical names and layout (what loadWeightsFile
// reads back without any mapping) and string metadata saying what the weights are.
import { basename } from 'node:path';
import type { ModelSpec } from '../model/spec';
import { assertFits } from './fitToSpec';
import { HostTensor } from './hostTensor';
import { saveSafetensors } from './safetensors';

export const WEIGHTS_FORMAT_TAG = 'alexnet-explorer-weights/1';

export interface SaveWeightsOptions {
  /** output index -> label; stored as the JSON string `classNames` */
  classNames?: string[];
  /** where the weights came from (a string, or anything JSON-serialisable: base file, dataset, epochs...) */
  provenance?: unknown;
  /** anything else the trainer wants to keep; values must be strings */
  extra?: Record<string, string>;
}

/** The `__metadata__` of a saved file. Structured values are JSON strings (safetensors allows only strings). */
export function weightsMetadata(spec: ModelSpec, opts: SaveWeightsOptions = {}): Record<string, string> {
  const meta: Record<string, string> = { ...(opts.extra ?? {}) };
  meta.format = WEIGHTS_FORMAT_TAG;
  meta.variant = spec.variant;
  meta.numClasses = String(spec.numClasses);
  meta.inputSize = String(spec.inputSize);
  meta.normalisation = JSON.stringify(spec.normalisation);
  if (opts.classNames) {
    if (opts.classNames.length !== spec.numClasses) throw new Error(`${opts.classNames.length} class names for ${spec.numClasses} outputs`);
    meta.classNames = JSON.stringify(opts.classNames);
  }
  if (opts.provenance !== undefined) meta.provenance = typeof opts.provenance === 'string' ? opts.provenance : JSON.stringify(opts.provenance);
  return meta;
}

/** Checks the params fit the spec, then writes them atomically (tmp file + rename). */
export async function saveWeightsFile(path: string, spec: ModelSpec, params: Record<string, HostTensor>, opts: SaveWeightsOptions = {}): Promise<void> {
  assertFits(spec, params, basename(path), spec.variant);
  const ordered: Record<string, HostTensor> = {};
  for (const l of spec.layers) {
    if (l.kind !== 'conv' && l.kind !== 'dense') continue;
    ordered[`${l.name}.weight`] = params[`${l.name}.weight`];
    ordered[`${l.name}.bias`] = params[`${l.name}.bias`];
  }
  await saveSafetensors(path, ordered, weightsMetadata(spec, opts));
}
