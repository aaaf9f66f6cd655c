// Model files: what the weights-file viewer shows (every tensor's statistics, whether and how the
// file is an AlexNet), per-layer comparison of two files, and the exporters.
import type { LayerRow } from './core';
import type { VariantName } from './model';
import type { ProgressEvent } from './events';

export type ModelFileFormat = 'pth' | 'npy' | 'safetensors' | 'onnx';
export type ExportFormat = 'onnx' | 'pth' | 'safetensors';
export type PthLayout = 'torchvision' | 'notebook';

export const HISTOGRAM_BINS = 32;

export interface TensorStats {
  /** the name in the file */
  name: string;
  /** the shape as stored in the file */
  shape: number[];
  /** the stored element type ('f32', 'f16', ...; 'f32' where the format does not say) */
  dtype: string;
  numel: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** share of exact zeros, 0..1 */
  zeros: number;
  /** HISTOGRAM_BINS counts over [min, max] */
  histogram: number[];
  /** NaN or infinite values (left out of the other numbers) */
  nonFinite: number;
}

export interface AlexNetBinding {
  /** the variant the file is read as (its own) */
  variant: VariantName;
  keyStyle: string;
  numClasses: number;
  inputSize: number;
  classNames?: string[];
  /** conv layers stored grouped (Caffe) */
  grouped: boolean;
  /** the architecture bound to these weights: every layer with its shape, parameters, FLOPs */
  layers: LayerRow[];
  totalParams: number;
  totalFlops: number;
  /** conv1's filters in canonical layout [kh, kw, 3, filters]; channels RGB (BGR for paper/caffe) */
  conv1: { shape: number[]; data: Float32Array };
  /** file name of each canonical parameter (features.0.weight -> conv1.weight...) */
  sources: Record<string, string>;
}

export interface ModelFileReport {
  path: string;
  format: ModelFileFormat;
  bytes: number;
  tensors: TensorStats[];
  metadata: Record<string, string>;
  alexnet: AlexNetBinding | null;
  /** why it is not an AlexNet (the loader's message) when alexnet is null */
  notAlexNet?: string;
  /** things the viewer should say (external ONNX data not read, ...) */
  notes: string[];
}

export interface LayerDifference {
  name: string;
  shapeA: number[];
  shapeB: number[];
  /** absent when the shapes differ */
  meanAbsDiff?: number;
  maxAbsDiff?: number;
  /** ||b - a|| / ||a|| */
  relativeChange?: number;
  /** cosine similarity of a and b as vectors */
  cosine?: number;
}

export interface ModelFileComparison {
  a: string;
  b: string;
  /** 'canonical' when both are AlexNets (compared per layer in one layout), else by the files' own names */
  basis: 'canonical' | 'names';
  layers: LayerDifference[];
  onlyInA: string[];
  onlyInB: string[];
}

export interface ExportParams {
  source: string;
  format: ExportFormat;
  out: string;
  variant?: VariantName;
  layout?: PthLayout;
}

export interface ExportModelResult {
  out: string;
  format: ExportFormat;
  variant: VariantName;
  numClasses: number;
  bytes: number;
  keys?: string[];
  layout?: PthLayout;
}

export interface ExportProjectResult {
  out: string;
  files: string[];
  trainImages: number;
  valImages: number;
  classNames: string[];
  /** why start.pth is absent (scratch mode, or a run without starting weights) */
  noStartWeights?: string;
}

export interface ModelFileRequests {
  /** Reads any weights file (not only AlexNets) and computes every tensor's statistics. Emits 'progress'. */
  inspectModelFile: { params: { path: string }; result: ModelFileReport; event: ProgressEvent };
  /** Per-layer differences between two weights files (e.g. before and after fine-tuning). Emits 'progress'. */
  compareModelFiles: { params: { a: string; b: string }; result: ModelFileComparison; event: ProgressEvent };
  /** A weights file or run folder as ONNX, .pth or safetensors. */
  exportModel: { params: ExportParams; result: ExportModelResult; event: ProgressEvent };
  /** A run folder as a PyTorch project (train.py for torchrun, start.pth, README). */
  exportPytorchProject: { params: { runDir: string; out: string }; result: ExportProjectResult; event: ProgressEvent };
}
