// Options every CLI command shares: backend, variant, weights.
import type { BackendPreference } from '../engine/backend/select';
import { VARIANTS, type VariantName } from '../engine/model/spec';
import type { WeightsSource } from '../protocol/engine';

const BACKENDS: BackendPreference[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export function backendOption(o: Record<string, string | true>): BackendPreference {
  const b = (o.backend as string | undefined) ?? process.env.ALEXNET_BACKEND ?? 'auto';
  if (!BACKENDS.includes(b as BackendPreference)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, got '${b}'`);
  return b as BackendPreference;
}

export function variantOption(o: Record<string, string | true>, fallback: VariantName = 'torchvision'): VariantName {
  const v = (o.variant as string | undefined) ?? fallback;
  if (!VARIANTS.includes(v as VariantName)) throw new Error(`--variant must be one of ${VARIANTS.join(', ')}, got '${v}'`);
  return v as VariantName;
}

export function weightsOption(o: Record<string, string | true>): WeightsSource {
  if (typeof o.weights === 'string') return { kind: 'file', path: o.weights };
  if (o.random) return { kind: 'random' };
  throw new Error(
    'no weights given: pass --weights FILE (.pth, bvlc_alexnet.npy or .safetensors; see weights/manifest.json for the official downloads) or --random for untrained weights',
  );
}
