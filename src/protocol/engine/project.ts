// Requests of the project view (a whole folder at once): every image's fc7 features, laid out in
// 2-D. projectFeatures computes (or reads from the disk cache) the features, predictions and
// thumbnails, answers with the PCA layout at once and keeps the features in the engine under a
// token; projectLayout turns them into a UMAP layout, sending intermediate layouts as events.
// Arrays travel as typed arrays (the IPC channel uses 'advanced' serialization).
import type { ProgressEvent } from './events';

export type ProjectImage =
  | {
      path: string;
      ok: true;
      /** class indices with probabilities, best first */
      top: { index: number; probability: number }[];
      width: number;
      height: number;
      /** read from the feature cache rather than computed now */
      cached: boolean;
    }
  | { path: string; ok: false; error: string; code: string };

export interface ProjectFeaturesParams {
  paths: string[];
  /** folder for the feature cache (the host's global storage); absent: nothing is cached */
  cacheDir?: string;
  topK?: number;
  /** thumbnail side in pixels (default 32) */
  thumbSize?: number;
}

export interface ProjectFeaturesResult {
  /** names the features the engine keeps for projectLayout */
  token: string;
  /** one per path, in order */
  images: ProjectImage[];
  /** the feature layer and its width ('relu7', 4096) */
  layer: string;
  dims: number;
  thumbSize: number;
  /** thumbSize x thumbSize RGB per image that loaded, in the order of the ok images */
  thumbnails: Uint8Array;
  /** x, y per ok image: the first two principal components, scaled into [-1, 1] */
  pca: Float32Array;
  /** share of the variance the two components explain */
  explained: [number, number];
  classNames: string[];
  weightsLabel: string;
  untrained: boolean;
  variant: string;
  /** what computed the features: "ONNX Runtime (CPU, 2 threads)" or the tfjs backend */
  runtime: string;
  computed: number;
  cached: number;
  ms: number;
}

/** Sent by projectLayout while it optimises: the layout so far (scaled into [-1, 1]). */
export interface ProjectLayoutEvent {
  kind: 'projectLayout';
  token: string;
  epoch: number;
  epochs: number;
  coords: Float32Array;
}

export interface ProjectLayoutResult {
  token: string;
  method: 'pca' | 'umap';
  /** x, y per ok image, scaled into [-1, 1] */
  coords: Float32Array;
  epochs: number;
  ms: number;
}

export interface ProjectRequests {
  /** Emits 'progress' (done/total images); cancellable between batches (what was computed stays cached). */
  projectFeatures: { params: ProjectFeaturesParams; result: ProjectFeaturesResult; event: ProgressEvent };
  /** Emits 'progress' and 'projectLayout' events; 'bad-input' when the token is no longer kept. */
  projectLayout: { params: { token: string; method: 'umap'; seed?: number }; result: ProjectLayoutResult; event: ProgressEvent | ProjectLayoutEvent };
}
