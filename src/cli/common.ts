// Options every CLI command shares: device, backend, variant, weights.
import type { BackendPreference } from '../engine/backend/select';
import { VARIANTS, type VariantName } from '../engine/model/spec';
import type { WeightsSource } from '../protocol/engine';
import { DEVICE_PREFERENCES, type DevicePreference } from '../engine/onnx/sessionOptions';

/** --device (or ALEXNET_DEVICE): where ONNX Runtime computes. */
export function deviceOption(o: Record<string, string | true>): DevicePreference {
  const d = (o.device as string | undefined) ?? process.env.ALEXNET_DEVICE ?? 'auto';
  if (!(DEVICE_PREFERENCES as readonly string[]).includes(d)) throw new Error(`--device must be one of ${DEVICE_PREFERENCES.join(', ')}, got '${d}'`);
  return d as DevicePreference;
}

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
