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
      /** relative to the classified folder (or the selection's common folder), '/'-separated */
      rel?: string;
      /** the parent folder's name when the folder is class-per-folder */
      folderClass?: string;
      /** top-1 matches folderClass; absent when that folder is not a class of the model */
      match?: boolean;
      /** the image as the webview may load it (asWebviewUri) */
      imageSrc: string;
      predictions: Prediction[];
      width: number;
      height: number;
      ms: number;
      exif?: { orientation: number; applied: boolean };
    }
  | { ok: false; path: string; name: string; rel?: string; folderClass?: string; match?: undefined; imageSrc: string; error: string; code: string };

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
  /** the folder the rows' rel paths start from */
  root?: string;
  /** the images lie in class folders (two or more), so the table has a Folder column */
  classPerFolder?: boolean;
  /** some folder names are classes of the model: the summary gives the accuracy against them */
  folderAccuracy?: boolean;
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
