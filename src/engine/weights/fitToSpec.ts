// Matching canonical tensors to a ModelSpec: which variant a file holds, the Caffe -> paper
// expansion of grouped convolutions, and the one message that lists everything that does not fit.
import { checkParams } from '../model/alexnet';
import { makeSpec, ModelSpec, SpecOptions, VariantName, VARIANTS } from '../model/spec';
import { HostTensor } from './hostTensor';
import { expandGroupedConv } from './layout';
import { KeyStyle } from './pytorchKeys';

export class WeightsMismatchError extends Error {
  constructor(
    message: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly misshaped: string[],
  ) {
    super(message);
  }
}

/** The variant the tensors themselves describe: metadata first, then grouping, key names and widths. */
export function detectVariant(params: Record<string, HostTensor>, keyStyle: KeyStyle, metadata: Record<string, string> = {}): VariantName {
  if ((VARIANTS as readonly string[]).includes(metadata.variant)) return metadata.variant as VariantName;
  if (isGrouped(params)) return 'caffe';
  if (keyStyle === 'torchvision') return 'torchvision';
  if (keyStyle === 'notebook') return 'paper';
  // Canonical names without metadata: torchvision's conv1 has 64 filters, the paper's 96.
  return params['conv1.weight']?.shape[3] === 64 ? 'torchvision' : 'paper';
}

/** Caffe's two-tower network: conv2 sees half of conv1's filters. */
function isGrouped(params: Record<string, HostTensor>): boolean {
  const c1 = params['conv1.weight']?.shape;
  const c2 = params['conv2.weight']?.shape;
  return !!c1 && !!c2 && c1.length === 4 && c2.length === 4 && c2[2] * 2 === c1[3];
}

/** Channel counts and widths as the file has them (for loading reduced or retrained networks). */
export function inferSpecOptions(params: Record<string, HostTensor>): SpecOptions {
  const width = (name: string) => params[`${name}.bias`]?.shape[0];
  const convs = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5'].map(width);
  const opts: SpecOptions = {};
  if (convs.every((c) => c !== undefined)) opts.convChannels = convs as SpecOptions['convChannels'];
  const fc6 = width('fc6');
  const fc7 = width('fc7');
  if (fc6 !== undefined && fc7 !== undefined) opts.fcUnits = [fc6, fc7];
  const fc8 = width('fc8');
  if (fc8 !== undefined) opts.numClasses = fc8;
  return opts;
}

/** The spec to load into: a given spec, a variant (its own widths, the file's class count), or the file's own. */
export function resolveSpec(target: ModelSpec | VariantName | 'auto', natural: VariantName, params: Record<string, HostTensor>): ModelSpec {
  if (typeof target === 'object') return target;
  if (target === 'auto') return makeSpec(natural, inferSpecOptions(params));
  const numClasses = params['fc8.bias']?.shape[0];
  return makeSpec(target, numClasses ? { numClasses } : {});
}

/**
 * Grouped (Caffe) conv weights made into the full convs an ungrouped spec expects, block-diagonally
 * with exact zeros across groups. Only conv layers whose input depth divides the spec's are touched.
 */
export function expandGroupsForSpec(params: Record<string, HostTensor>, spec: ModelSpec): { params: Record<string, HostTensor>; expanded: string[] } {
  const out = { ...params };
  const expanded: string[] = [];
  for (const layer of spec.layers) {
    if (layer.kind !== 'conv') continue;
    const w = params[`${layer.name}.weight`];
    const want = layer.inChannels / layer.groups;
    if (!w || w.shape.length !== 4 || w.shape[2] === want) continue;
    const g = want / w.shape[2];
    if (Number.isInteger(g) && g > 1 && w.shape[3] === layer.filters && w.shape[0] === layer.kernel && layer.filters % g === 0) {
      out[`${layer.name}.weight`] = expandGroupedConv(w, g);
      expanded.push(layer.name);
    }
  }
  return { params: out, expanded };
}

/** Throws one WeightsMismatchError listing every missing, unexpected and mis-shaped tensor. */
export function assertFits(spec: ModelSpec, params: Record<string, HostTensor>, fileName: string, natural: VariantName, sources: Record<string, string> = {}): void {
  const shapes: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(params)) shapes[k] = v.shape;
  const { missing, unexpected, misshaped } = checkParams(spec, shapes);
  if (!missing.length && !unexpected.length && !misshaped.length) return;
  const from = (name: string) => (sources[name] && sources[name] !== name ? ` (file key '${sources[name]}')` : '');
  const lines = [
    `${fileName} does not fit AlexNet '${spec.variant}' (${spec.numClasses} classes)` +
      (natural !== spec.variant ? `; its tensors look like the '${natural}' variant.` : '.') +
      ' Canonical layout: conv [kh, kw, in, out], dense [in, out].',
  ];
  if (misshaped.length) lines.push(`  mis-shaped (${misshaped.length}): ${misshaped.map((m) => m.replace(/^([^:]+):/, (_, n: string) => `${n}${from(n)}:`)).join('; ')}`);
  if (missing.length) lines.push(`  missing (${missing.length}): ${missing.join(', ')}`);
  if (unexpected.length) lines.push(`  unexpected (${unexpected.length}): ${unexpected.map((n) => `${n}${from(n)}`).join(', ')}`);
  throw new WeightsMismatchError(lines.join('\n'), missing, unexpected, misshaped);
}
