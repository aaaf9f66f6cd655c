// PyTorch state_dict keys -> canonical parameter names (spec.ts), with the layout changes:
// conv OIHW -> HWIO, Linear [out, in] -> [in, out], fc6's inputs C,H,W -> H,W,C.
import { HostTensor } from './hostTensor';
import { chwRowsToHwc, oihwToHwio, transpose2d } from './layout';

export type KeyStyle = 'torchvision' | 'notebook' | 'canonical' | 'unknown';

/** torchvision.models.AlexNet: features / avgpool / classifier (Dropout at 0 and 3). */
export const TORCHVISION_MODULES: Record<string, string> = {
  'features.0': 'conv1', 'features.3': 'conv2', 'features.6': 'conv3', 'features.8': 'conv4', 'features.10': 'conv5',
  'classifier.1': 'fc6', 'classifier.4': 'fc7', 'classifier.6': 'fc8',
};

/**
 * The original notebook's module (see test/fixtures/make_parity.py for its definition):
 *   convolution:     0 conv1, 1 relu, 2 lrn, 3 pool, 4 conv2, 5 relu, 6 lrn, 7 pool,
 *                    8 conv3, 9 relu, 10 conv4, 11 relu, 12 conv5, 13 relu, 14 pool
 *   fully_connected: 0 fc6, 1 relu, 2 dropout, 3 fc7, 4 relu, 5 dropout, 6 fc8
 */
export const NOTEBOOK_MODULES: Record<string, string> = {
  'convolution.0': 'conv1', 'convolution.4': 'conv2', 'convolution.8': 'conv3', 'convolution.10': 'conv4', 'convolution.12': 'conv5',
  'fully_connected.0': 'fc6', 'fully_connected.3': 'fc7', 'fully_connected.6': 'fc8',
};

const CANONICAL = /^(conv[1-5]|fc[678])\.(weight|bias)$/;

export function detectKeyStyle(keys: string[]): KeyStyle {
  const has = (re: RegExp) => keys.some((k) => re.test(k));
  if (has(/^(features|classifier)\.\d+\.(weight|bias)$/)) return 'torchvision';
  if (has(/^(convolution|fully_connected)\.\d+\.(weight|bias)$/)) return 'notebook';
  if (has(CANONICAL)) return 'canonical';
  return 'unknown';
}

export interface CanonicalParams {
  params: Record<string, HostTensor>;
  /** canonical name -> the key it came from (for messages) */
  sources: Record<string, string>;
}

/** Renames and re-lays-out PyTorch tensors; keys it does not know are kept as they are (reported as unexpected later). */
export function pytorchToCanonical(tensors: Record<string, HostTensor>, style: KeyStyle): CanonicalParams {
  const modules = style === 'torchvision' ? TORCHVISION_MODULES : style === 'notebook' ? NOTEBOOK_MODULES : {};
  const params: Record<string, HostTensor> = {};
  const sources: Record<string, string> = {};
  for (const [key, t] of Object.entries(tensors)) {
    const m = /^(.*)\.(weight|bias)$/.exec(key);
    const layer = m ? modules[m[1]] : undefined;
    if (!m || !layer) {
      params[key] = t;
      sources[key] = key;
      continue;
    }
    const name = `${layer}.${m[2]}`;
    let v = t;
    if (m[2] === 'weight' && t.shape.length === 4) v = oihwToHwio(t);
    else if (m[2] === 'weight' && t.shape.length === 2) v = transpose2d(t);
    params[name] = v;
    sources[name] = key;
  }
  // fc6 follows PyTorch's flatten of conv5's output (C,H,W); the tfjs model flattens H,W,C.
  const fc6 = params['fc6.weight'];
  const c5 = params['conv5.bias']?.shape[0];
  if (fc6 && fc6.shape.length === 2 && c5 && fc6.shape[0] % c5 === 0) {
    const side = Math.round(Math.sqrt(fc6.shape[0] / c5));
    if (side * side * c5 === fc6.shape[0]) params['fc6.weight'] = chwRowsToHwc(fc6, c5, side, side);
  }
  return { params, sources };
}
