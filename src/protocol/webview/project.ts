// Messages between the project panel (host: src/extension/project/projectPanel.ts) and its
// webview (src/webview/project/main.ts): a folder's images as points of a 2-D layout.
// Arrays go as typed arrays (the webview's postMessage keeps them binary).
import type { WebviewProtocol } from './protocol';

export interface ProjectPoint {
  path: string;
  /** relative to the projected folder, '/'-separated */
  rel: string;
  /** index into ProjectView.folderClasses, -1 when the image lies in the folder itself */
  folderClass: number;
  /** top predictions: class index into ProjectView.classNames, probability */
  top: { index: number; probability: number }[];
}

export interface ProjectView {
  /** tells a fresh page's view from a saved one */
  id: string;
  folder: string;
  title: string;
  points: ProjectPoint[];
  /** class-per-folder names (the parent folders of the images), sorted */
  folderClasses: string[];
  classNames: string[];
  thumbSize: number;
  /** thumbSize x thumbSize RGB per point, in order */
  thumbnails: Uint8Array;
  /** x, y per point in [-1, 1] */
  coords: Float32Array;
  method: 'pca' | 'umap';
  /** share of the variance the PCA axes explain */
  explained: [number, number];
  weightsLabel: string;
  untrained: boolean;
  variant: string;
  runtime: string;
  layer: string;
  dims: number;
  /** images listed, computed now, read from the cache, that could not be read */
  stats: { images: number; computed: number; cached: number; failed: number; ms: number };
  /** the images that could not be read, with why */
  failures: { rel: string; error: string }[];
}

export type HostToWebview =
  | { type: 'view'; view: ProjectView }
  /** a layout for the current view (intermediate while `done` is false) */
  | { type: 'layout'; id: string; method: 'pca' | 'umap'; coords: Float32Array; epoch: number; epochs: number; done: boolean }
  | { type: 'status'; message: string; state: 'busy' | 'done' | 'error' };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'open'; path: string }
  | { type: 'featureMaps'; path: string }
  | { type: 'exportPaths'; paths: string[] }
  | { type: 'copyPaths'; paths: string[] }
  | { type: 'layout'; method: 'pca' | 'umap' }
  /** frame times for the e2e tests (ms to draw the last frame, points drawn) */
  | { type: 'rendered'; points: number; ms: number; mode: 'dots' | 'thumbnails' };

/** What the page keeps across hide/show: its colouring and whether thumbnails are drawn. */
export interface ProjectWebviewState {
  colour: 'folder' | 'predicted';
  thumbnails: boolean;
}

export type ProjectProtocol = WebviewProtocol<HostToWebview, WebviewToHost, ProjectWebviewState>;
