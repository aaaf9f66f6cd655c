// Messages between the architecture panel (host: src/extension/inspect/architecturePanel.ts) and
// its webview (main.ts). The numbers are the engine's `info` answer for the loaded model, the
// same ones `alexnet info` prints (both from spec.ts describe()).
import type { ModelInfo } from '../engine';
import type { WebviewProtocol } from './protocol';

export interface ArchitectureView {
  info: ModelInfo;
  weightsLabel: string;
  untrained: boolean;
  numClasses: number;
}

export type HostToWebview =
  | { type: 'model'; view: ArchitectureView }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  /** conv layers open their filters; the others open the feature maps of an image */
  | { type: 'openLayer'; layer: string; kind: string };

/** What the page saves: the last diagram, drawn again at once after a reload. */
export interface ArchitectureState {
  view?: ArchitectureView;
}

/** The panel's and the page's messages and the page's saved state (SingletonPanel, bootWebview). */
export type ArchitectureProtocol = WebviewProtocol<HostToWebview, WebviewToHost, ArchitectureState>;
