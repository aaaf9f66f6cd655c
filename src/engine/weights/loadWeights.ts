// One entry point for every weights file the engine accepts: PyTorch .pth (torchvision's or the
// notebook's keys), the Caffe-converted bvlc_alexnet.npy, and our own safetensors. The format is
// recognised from the bytes, not the extension. Out come canonical float32 tensors for a spec.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ModelSpec, VariantName } from '../model/spec';
import { caffeNpyToCanonical } from './caffeNpy';
import { assertFits, detectVariant, expandGroupsForSpec, resolveSpec } from './fitToSpec';
import { HostTensor } from './hostTensor';
import { isNpy, readNpy } from './npy';
import { PickleRefusedError } from './pickle';
import { detectKeyStyle, KeyStyle, pytorchToCanonical } from './pytorchKeys';
import { readTorchFile, stateDictTensors, TorchFileError } from './pytorch';
import { PickleStructureError } from './resolvePickled';
import { isSafetensors, readSafetensors } from './safetensors';
import { isZip, ZipBombError } from './zip';
import { parseBaseWeightsRef, verifyBaseWeights } from './baseWeights';

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

export class WeightsFileError extends Error {}

/** Reads and maps a weights file. `target`: a spec, a variant name, or 'auto' (the file's own variant and widths). */
export async function loadWeightsFile(path: string, target: WeightsTarget = 'auto'): Promise<LoadedWeights> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new WeightsFileError(`cannot read weights file ${path}: ${(e as Error).message}`);
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length && isSafetensors(bytes)) {
    // a frozen/probe run's model holds only its trained layers: the rest comes from its base file
    const content = readAnyFormat(bytes, path);
    const ref = parseBaseWeightsRef(content.metadata);
    if (ref) {
      await verifyBaseWeights(ref, path);
      const base = await loadWeightsFile(ref.path, ref.loadAs as WeightsTarget);
      return mapTensors({ ...content, tensors: { ...base.params, ...content.tensors } }, path, target);
    }
    return mapTensors(content, path, target);
  }
  return loadWeightsBuffer(bytes, path, target);
}

export function loadWeightsBuffer(buf: Uint8Array, path: string, target: WeightsTarget = 'auto'): LoadedWeights {
  if (buf.length === 0) throw new WeightsFileError(`${path} is empty (0 bytes): the download or save did not finish`);
  const content = readAnyFormat(buf, path);
  if (parseBaseWeightsRef(content.metadata)) throw new WeightsFileError(`${path} holds only a training run's trained layers: load it from its file (loadWeightsFile), which completes it from the base weights`);
  return mapTensors(content, path, target);
}

function mapTensors(content: { format: WeightsFormat; tensors: Record<string, HostTensor>; metadata: Record<string, string> }, path: string, target: WeightsTarget): LoadedWeights {
  const name = basename(path);
  const { format, tensors, metadata } = content;
  let keyStyle: KeyStyle;
  let params: Record<string, HostTensor>;
  let sources: Record<string, string> = {};
  if (format === 'pth') {
    keyStyle = detectKeyStyle(Object.keys(tensors));
    ({ params, sources } = pytorchToCanonical(tensors, keyStyle));
  } else {
    keyStyle = 'canonical';
    params = tensors;
  }
  const fileVariant = detectVariant(params, keyStyle, metadata);
  const spec = resolveSpec(target, fileVariant, params);
  let expandedGroups: string[] = [];
  if (fileVariant === 'caffe' && spec.variant !== 'caffe') ({ params, expanded: expandedGroups } = expandGroupsForSpec(params, spec));
  assertFits(spec, params, name, fileVariant, sources);
  const ordered: Record<string, HostTensor> = {};
  for (const l of spec.layers) {
    if (l.kind !== 'conv' && l.kind !== 'dense') continue;
    ordered[`${l.name}.weight`] = params[`${l.name}.weight`];
    ordered[`${l.name}.bias`] = params[`${l.name}.bias`];
  }
  return {
    params: ordered,
    variant: spec.variant,
    spec,
    classNames: parseClassNames(metadata.classNames),
    metadata,
    source: { path, format, keyStyle, fileVariant, expandedGroups },
  };
}

function readAnyFormat(buf: Uint8Array, path: string): { format: WeightsFormat; tensors: Record<string, HostTensor>; metadata: Record<string, string> } {
  const looksPth = /\.(pth|pt|bin|ckpt|tar)$/i.test(path);
  try {
    if (isNpy(buf)) return { format: 'npy', tensors: npyTensors(buf), metadata: {} };
    if (isZip(buf)) return { format: 'pth', tensors: stateDictTensors(readTorchFile(buf)), metadata: {} };
    if (isSafetensors(buf)) {
      const { tensors, metadata } = readSafetensors(buf);
      return { format: 'safetensors', tensors, metadata };
    }
    if (looksPth || (buf[0] === 0x80 && buf.length > 2)) return { format: 'pth', tensors: stateDictTensors(readTorchFile(buf)), metadata: {} };
  } catch (e) {
    if (e instanceof PickleRefusedError) throw new WeightsFileError(`${e.message} (${path})`);
    const detail = (e as Error).message;
    // Records that contradict themselves are not a cut-short download: say what the file claims.
    if (e instanceof TorchFileError || e instanceof PickleStructureError || e instanceof ZipBombError) throw new WeightsFileError(`refusing ${path}: ${detail}`);
    if (isZip(buf) || looksPth) throw new WeightsFileError(`truncated or not a PyTorch file: ${path}: ${detail}`);
    throw new WeightsFileError(`cannot read ${path}: ${detail}`);
  }
  throw new WeightsFileError(`${path} is not a weights file this extension reads (PyTorch .pth, bvlc_alexnet.npy, or safetensors)`);
}

function npyTensors(buf: Uint8Array): Record<string, HostTensor> {
  const v = readNpy(buf);
  if (v.kind === 'object') return caffeNpyToCanonical(v);
  throw new Error('this .npy holds a single array, not a dict of layers (expected the bvlc_alexnet.npy layout)');
}

function parseClassNames(text: string | undefined): string[] | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}
