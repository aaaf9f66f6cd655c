// Messages between the classification panel (host: src/extension/classify/classifyPanel.ts) and
// its webview (main.ts). Both sides import this file, so a renamed field breaks the build.
import type { Prediction } from '../engine';
import type { WebviewProtocol } from './protocol';

export type ResultRow =
  | {
      ok: true;
      /** file system path (for the host's actions) */
      path: string;
      name: string;
      /** the image as the webview may load it (asWebviewUri) */
      imageSrc: string;
      predictions: Prediction[];
      width: number;
      height: number;
      ms: number;
      exif?: { orientation: number; applied: boolean };
    }
  | { ok: false; path: string; name: string; imageSrc: string; error: string; code: string };

export interface ResultsView {
  /** tells a fresh page's results from the ones an earlier page saved in its state */
  id: string;
  /** 'image' shows one image in detail; 'table' one row per image (several images or a folder) */
  layout: 'image' | 'table';
  /** what was classified, for the heading ("cat.jpg", "12 images in photos/") */
  title: string;
  rows: ResultRow[];
  variant: string;
  backend: string;
  weightsLabel: string;
  untrained: boolean;
  topK: number;
  totalMs: number;
  /** whether the command alexnet.exploreActivations exists (the activation explorer is installed) */
  canExplore: boolean;
}

export type HostToWebview =
  | { type: 'results'; view: ResultsView }
  | { type: 'running'; message: string }
  | { type: 'failed'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'copyJson' }
  | { type: 'exportCsv' }
  | { type: 'explore'; path: string }
  | { type: 'open'; path: string };

/** What the webview keeps across hide/show (vscode.getState) and window reloads (the serializer). */
export interface ClassifyWebviewState {
  view?: ResultsView;
}

/** The panel's and the page's messages and the page's saved state (SingletonPanel, bootWebview). */
export type ClassifyProtocol = WebviewProtocol<HostToWebview, WebviewToHost, ClassifyWebviewState>;
