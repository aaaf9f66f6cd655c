// The weights viewer's report: every tensor's statistics (computed here, in the engine, with
// progress), and whether the file is an AlexNet: its variant, the architecture bound to its
// weights and conv1's filters, or the loader's reason why not.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { describe, type ModelSpec } from '../model/spec';
import { assertFits, detectVariant, resolveSpec } from '../weights/fitToSpec';
import type { HostTensor } from '../weights/hostTensor';
import { oihwToHwio } from '../weights/layout';
import { detectKeyStyle, pytorchToCanonical } from '../weights/pytorchKeys';
import type { AlexNetBinding, ModelFileReport } from '../../protocol/engine/modelFiles';
import type { LayerRow } from '../../protocol/engine/core';
import { readRawTensors, type RawFile } from './rawTensors';
import { tensorStats } from './tensorStats';

export interface InspectHooks {
  signal?: AbortSignal;
  progress?: (done: number, total: number, message: string) => void;
}

export class ModelFileError extends Error {
  readonly code = 'bad-input';
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

export function layerRows(spec: ModelSpec): LayerRow[] {
  return describe(spec).map((i) => ({
    name: i.layer.name,
    kind: i.layer.kind,
    outputShape: i.outputShape,
    ...(i.layer.kind === 'conv'
      ? { kernel: i.layer.kernel, stride: i.layer.stride, pad: i.layer.pad, groups: i.layer.groups }
      : i.layer.kind === 'maxpool' ? { kernel: i.layer.size, stride: i.layer.stride } : {}),
    params: i.params,
    flops: i.flops,
  }));
}

/** Canonical params of an AlexNet file with the spec they fit, or the reason they do not. */
export interface Bound {
  spec: ModelSpec;
  params: Record<string, HostTensor>;
  keyStyle: string;
  classNames?: string[];
  sources: Record<string, string>;
}

/**
 * Canonical params from the tensors already read (no second parse of the file): PyTorch names
 * through the loaders' mapping, canonical names as they are (ONNX's OIHW convs transposed), then
 * the loaders' own variant detection and fit check, so the verdict matches what loading says.
 */
function bindRaw(raw: RawFile, name: string): Bound {
  const tensors: Record<string, HostTensor> = {};
  for (const t of raw.tensors) tensors[t.name] = { shape: t.shape, data: t.data };
  const keyStyle = detectKeyStyle(Object.keys(tensors));
  let params: Record<string, HostTensor>;
  let sources: Record<string, string> = {};
  if (keyStyle === 'torchvision' || keyStyle === 'notebook') ({ params, sources } = pytorchToCanonical(tensors, keyStyle));
  else if (raw.format === 'onnx') {
    params = {};
    for (const [k, t] of Object.entries(tensors)) {
      if (!/^(conv[1-5]|fc[678])\.(weight|bias)$/.test(k)) continue; // graph constants (LRN, pooling matrices)
      params[k] = k.endsWith('.weight') && t.shape.length === 4 ? oihwToHwio(t) : t;
    }
  } else params = tensors;
  const variant = detectVariant(params, keyStyle, raw.metadata);
  const spec = resolveSpec('auto', variant, params);
  assertFits(spec, params, name, variant, sources);
  let classNames: string[] | undefined;
  try {
    const c = JSON.parse(raw.metadata.classNames ?? 'null');
    if (Array.isArray(c) && c.length === spec.numClasses) classNames = c.map(String);
  } catch {
    // no class names
  }
  return { spec, params, keyStyle, sources, ...(classNames ? { classNames } : {}) };
}

export function bindAlexNet(raw: RawFile, path: string): Bound {
  return bindRaw(raw, basename(path));
}

export async function readModelFile(path: string): Promise<{ buf: Uint8Array; raw: RawFile; bytes: number }> {
  let b: Buffer;
  try {
    b = await readFile(path);
  } catch (e) {
    throw new ModelFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (!b.length) throw new ModelFileError(`${path} is empty (0 bytes)`);
  const buf = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  try {
    return { buf, raw: readRawTensors(buf, path), bytes: (await stat(path)).size };
  } catch (e) {
    throw new ModelFileError(`${basename(path)} cannot be read as a weights file (PyTorch .pth, .npy, safetensors or ONNX): ${(e as Error).message}`);
  }
}

export async function inspectModelFile(path: string, hooks: InspectHooks = {}): Promise<ModelFileReport> {
  hooks.progress?.(0, 1, `Reading ${basename(path)}`);
  const { raw, bytes } = await readModelFile(path);
  hooks.progress?.(0, 1, `Read ${raw.tensors.length} tensors; matching them to AlexNet`);
  await yieldNow();
  let alexnet: AlexNetBinding | null = null;
  let notAlexNet: string | undefined;
  try {
    const b = bindAlexNet(raw, path);
    const rows = layerRows(b.spec);
    const conv1 = b.params['conv1.weight'];
    alexnet = {
      variant: b.spec.variant,
      keyStyle: b.keyStyle,
      numClasses: b.spec.numClasses,
      inputSize: b.spec.inputSize,
      ...(b.classNames ? { classNames: b.classNames } : {}),
      grouped: b.spec.layers.some((l) => l.kind === 'conv' && l.groups > 1),
      layers: rows,
      totalParams: rows.reduce((a, r) => a + r.params, 0),
      totalFlops: rows.reduce((a, r) => a + r.flops, 0),
      conv1: { shape: conv1.shape, data: Float32Array.from(conv1.data) },
      sources: b.sources,
    };
  } catch (e) {
    notAlexNet = (e as Error).message;
  }
  const total = raw.tensors.reduce((a, t) => a + t.data.length, 0) || 1;
  let done = 0;
  const tensors = [];
  for (const t of raw.tensors) {
    if (hooks.signal?.aborted) throw Object.assign(new Error('cancelled'), { code: 'cancelled' });
    hooks.progress?.(done, total, `Statistics of ${t.name}`);
    tensors.push(tensorStats(t.name, t.shape, t.dtype, t.data));
    done += t.data.length;
    await yieldNow(); // a cancel and other requests get through between tensors
  }
  hooks.progress?.(total, total, 'Done');
  return { path, format: raw.format, bytes, tensors, metadata: raw.metadata, alexnet, ...(notAlexNet ? { notAlexNet } : {}), notes: raw.notes };
}
