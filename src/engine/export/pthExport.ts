// Canonical weights -> a PyTorch state_dict file as torch.save (>= 1.6) writes it: a zip holding
// <stem>/data.pkl, <stem>/data/<n> (raw little-endian float32 storages) and <stem>/version.
// Keys and layouts: torchvision.models.AlexNet's (features.N / classifier.N) for the torchvision
// variant, the original notebook's (convolution.N / fully_connected.N, groups kept) for paper/caffe.
import { basename, extname } from 'node:path';
import type { ModelSpec } from '../model/spec';
import { describe } from '../model/spec';
import type { HostTensor } from '../weights/hostTensor';
import { hwcRowsToChw, hwioToOihw, transpose2d } from '../weights/layout';
import { NOTEBOOK_MODULES, TORCHVISION_MODULES } from '../weights/pytorchKeys';
import { stateDictPickle } from './torchPickle';
import { writeChunksAtomic, zipStored } from './zipWriter';

export type PthLayout = 'torchvision' | 'notebook';

export function defaultPthLayout(spec: ModelSpec): PthLayout {
  return spec.variant === 'torchvision' ? 'torchvision' : 'notebook';
}

/** The state_dict tensors in PyTorch's names, order and layouts (OIHW convs, [out, in] Linear, fc6 on C,H,W inputs). */
export function toPytorchStateDict(spec: ModelSpec, params: Record<string, HostTensor>, layout: PthLayout = defaultPthLayout(spec)): [string, HostTensor][] {
  if (layout === 'torchvision' && spec.variant !== 'torchvision')
    throw new Error(`the '${spec.variant}' variant has LRN layers and other widths: torchvision's AlexNet cannot hold it (use the notebook layout)`);
  const modules = layout === 'torchvision' ? TORCHVISION_MODULES : NOTEBOOK_MODULES;
  const moduleOf = Object.fromEntries(Object.entries(modules).map(([mod, layer]) => [layer, mod]));
  const pool5 = describe(spec).find((i) => i.layer.name === (spec.variant === 'torchvision' ? 'avgpool' : 'pool5'))!.outputShape;
  const out: [string, HostTensor][] = [];
  for (const l of spec.layers) {
    if (l.kind !== 'conv' && l.kind !== 'dense') continue;
    const w = params[`${l.name}.weight`];
    const b = params[`${l.name}.bias`];
    if (!w || !b) throw new Error(`missing ${l.name} weights`);
    const mod = moduleOf[l.name];
    let pw: HostTensor;
    if (l.kind === 'conv') pw = hwioToOihw(w);
    else if (l.name === 'fc6') pw = transpose2d(hwcRowsToChw(w, pool5[2], pool5[0], pool5[1]));
    else pw = transpose2d(w);
    out.push([`${mod}.weight`, pw], [`${mod}.bias`, b]);
  }
  return out;
}

/** The archive's chunks; `stem` is the folder inside it (torch uses the file's stem; any name loads). */
export function encodeTorchStateDict(tensors: [string, HostTensor][], stem = 'archive'): Uint8Array[] {
  const pkl = stateDictPickle(tensors.map(([key, t], i) => ({ key, shape: t.shape, storageKey: String(i) })));
  const entries = [{ name: `${stem}/data.pkl`, data: pkl }];
  tensors.forEach(([, t], i) => entries.push({ name: `${stem}/data/${i}`, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) }));
  entries.push({ name: `${stem}/version`, data: Buffer.from('3\n') });
  return zipStored(entries);
}

export function savePth(path: string, spec: ModelSpec, params: Record<string, HostTensor>, layout?: PthLayout): { keys: string[]; layout: PthLayout } {
  const used = layout ?? defaultPthLayout(spec);
  const sd = toPytorchStateDict(spec, params, used);
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'archive';
  writeChunksAtomic(path, encodeTorchStateDict(sd, stem));
  return { keys: sd.map(([k]) => k), layout: used };
}
