// `alexnet export` and Export Model...: a weights file or a training run folder, written as ONNX,
// a PyTorch .pth state_dict, or our safetensors. The source is read by the same loaders as
// everywhere else, so a bad file gets the same message.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec, VariantName } from '../model/spec';
import { imagenetLabels } from '../labels';
import { loadWeightsFile, type LoadedWeights } from '../weights/loadWeights';
import { saveWeightsFile } from '../weights/savedWeights';
import { BEST_FILE, CONFIG_FILE, readRunConfig } from '../train/runFiles';
import { exportOnnxModel } from './onnxExport';
import { savePth, type PthLayout } from './pthExport';
import { writeChunksAtomic } from './zipWriter';
import type { ExportModelResult } from '../../protocol/engine/modelFiles';

export type ExportFormat = 'onnx' | 'pth' | 'safetensors';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'pth', 'safetensors'];

export class ExportInputError extends Error {
  readonly code = 'bad-input';
}

export interface ExportRequest {
  /** a weights file (.pth, .npy, .safetensors) or a run folder (its best.safetensors) */
  source: string;
  format: ExportFormat;
  out: string;
  /** load as this variant (a caffe file as paper, ...); default: the file's own */
  variant?: VariantName;
  /** .pth only: key layout (default torchvision's for torchvision, the notebook's for paper/caffe) */
  layout?: PthLayout;
}

/** What an export wrote: the protocol's result type, so the engine and the host cannot drift apart. */
export type ExportResult = ExportModelResult;

export interface ExportSource {
  weights: LoadedWeights;
  classNames: string[];
  /** what the weights are, for metadata */
  provenance: Record<string, unknown>;
}

/** Reads the source: a run folder's best.safetensors with the run's classes, or a weights file. */
export async function readExportSource(source: string, variant?: VariantName): Promise<ExportSource> {
  if (!existsSync(source)) throw new ExportInputError(`${source} does not exist`);
  let file = source;
  let runClasses: string[] | undefined;
  if (statSync(source).isDirectory()) {
    if (!existsSync(join(source, CONFIG_FILE))) throw new ExportInputError(`${source} is a folder but not a training run (no ${CONFIG_FILE})`);
    file = join(source, BEST_FILE);
    if (!existsSync(file)) throw new ExportInputError(`the run ${source} has no ${BEST_FILE} yet (no epoch finished)`);
    runClasses = readRunConfig(source).classNames;
  }
  const weights = await loadWeightsFile(file, variant ?? 'auto');
  const n = weights.spec.numClasses;
  const classNames = weights.classNames ?? runClasses ?? (n === 1000 ? imagenetLabels().map((l) => l.name) : Array.from({ length: n }, (_, i) => `class ${i}`));
  if (classNames.length !== n) throw new ExportInputError(`${file}: ${classNames.length} class names for ${n} outputs`);
  return { weights, classNames, provenance: { source: file, format: weights.source.format, fileVariant: weights.source.fileVariant } };
}

export async function exportModel(req: ExportRequest): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(req.format)) throw new ExportInputError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got '${req.format}'`);
  const src = await readExportSource(req.source, req.variant);
  const { spec, params } = src.weights;
  const base = { out: req.out, format: req.format, variant: spec.variant, numClasses: spec.numClasses };
  switch (req.format) {
    case 'onnx': {
      const bytes = exportOnnxModel(spec, params, { classNames: src.classNames, metadata: { provenance: JSON.stringify(src.provenance) } });
      writeChunksAtomic(req.out, [bytes]);
      return { ...base, bytes: bytes.length };
    }
    case 'pth': {
      const { keys, layout } = savePth(req.out, spec, params, req.layout);
      return { ...base, bytes: statSync(req.out).size, keys, layout };
    }
    case 'safetensors':
      await saveWeightsFile(req.out, spec, params, { classNames: src.classNames, provenance: { kind: 'exported', ...src.provenance } });
      return { ...base, bytes: statSync(req.out).size };
  }
}

export function describeSpecShort(spec: ModelSpec): string {
  return `${spec.variant}, ${spec.numClasses} classes, ${spec.inputSize}x${spec.inputSize}`;
}
