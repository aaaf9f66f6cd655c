// Requests every engine answers: start-up, model loading, classification, model description.
import type { VariantName } from './model';
import type { BackendPreference, BackendReport } from './backend';
import type { DoctorReport } from './doctor';
import type { DevicePreference, DeviceReport } from './device';
import type { ProgressEvent } from './events';

export type WeightsSource =
  /** a file on disk: .pth, .npy or our .safetensors */
  | { kind: 'file'; path: string }
  /** random (He-initialised) weights: results must be labelled as untrained everywhere */
  | { kind: 'random'; seed?: number };

export interface ModelStatus {
  variant: VariantName;
  /** what the weights are, for the status bar and result views ("torchvision pretrained", "random (untrained)", a file name) */
  weightsLabel: string;
  weights: WeightsSource;
  untrained: boolean;
  numClasses: number;
  /** class names in index order; ImageNet's when the model has 1000 classes from a known source */
  classNames: string[];
  /** ImageNet synset ids (n01440764...) when the classes are ImageNet's */
  synsets?: string[];
  inputSize: number;
  parameters: number;
  loadMs: number;
}

export interface EngineStatus {
  backend: BackendReport;
  /** where ONNX Runtime computes; absent until chosen (a GPU self-test takes seconds: ask 'devices') */
  device?: DeviceReport;
  model?: ModelStatus;
  pid: number;
  engineVersion: string;
}

export interface Prediction {
  index: number;
  label: string;
  synset?: string;
  probability: number;
}

export type ClassifyItem =
  | {
      path: string;
      ok: true;
      predictions: Prediction[];
      width: number;
      height: number;
      ms: number;
      /** the file's EXIF orientation tag, only when it asks for a rotation or flip (2..8); `applied`: whether we rotated */
      exif?: { orientation: number; applied: boolean };
    }
  | { path: string; ok: false; error: string; code: string };

export interface LayerRow {
  name: string;
  kind: string;
  outputShape: number[];
  kernel?: number;
  stride?: number;
  pad?: number;
  groups?: number;
  params: number;
  flops: number;
}

export interface ModelInfo {
  variant: VariantName;
  inputSize: number;
  layers: LayerRow[];
  totalParams: number;
  totalFlops: number;
  backend: BackendReport;
  weightsLabel?: string;
}

export interface CoreRequests {
  init: { params: { backend: BackendPreference; threads?: number; device?: DevicePreference }; result: EngineStatus; event: never };
  /** the device choice, waiting for it (and for the self-test of a GPU device) */
  devices: { params: Record<string, never>; result: DeviceReport; event: never };
  status: { params: Record<string, never>; result: EngineStatus; event: never };
  loadModel: { params: { variant: VariantName; weights: WeightsSource }; result: ModelStatus; event: never };
  /**
   * Classifies images; a bad image gives an ok:false item, never a failed request. exifOrientation
   * (default true): rotate/flip by the EXIF tag as viewers do; false reads pixels as stored, as
   * torchvision's PIL loader does.
   */
  classify: {
    params: { paths: string[]; topK: number; exifOrientation?: boolean };
    result: { items: ClassifyItem[]; model: ModelStatus; backend: string; totalMs: number };
    event: ProgressEvent;
  };
  info: { params: { variant?: VariantName }; result: ModelInfo; event: never };
  /** GPU setup check; installDir is where the optional tfjs-node(-gpu) packages would go */
  doctor: { params: { installDir: string }; result: DoctorReport; event: never };
}
