// Messages between the activation explorer side panel (host: src/extension/inspect/activationExplorer.ts)
// and its webview (main.ts). Activations and heat maps arrive as Float32Arrays.
import type { FeatureMaps, GradCamResult, InspectImageResult } from '../engine';
import type { WebviewProtocol } from './protocol';

/** The selection, kept in the webview state (hide/show) and the workspace state (reloads). */
export interface ExplorerState {
  path?: string;
  layer?: string;
  channel?: number;
  /** the class Grad-CAM explains (default: the top one) */
  classIndex?: number;
  sortByMean: boolean;
  /** the maps' opacity over the image (channel view and Grad-CAM), 0..1 */
  opacity?: number;
}

export type HostToWebview =
  | { type: 'image'; name: string; info: InspectImageResult; state: ExplorerState }
  | { type: 'maps'; maps: FeatureMaps }
  | { type: 'cam'; cam: GradCamResult }
  | { type: 'empty' }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready'; state?: ExplorerState }
  | { type: 'layer'; layer: string }
  | { type: 'class'; classIndex: number }
  | { type: 'state'; state: ExplorerState }
  | { type: 'pickImage' }
  | { type: 'openPanel'; layer: string }
  | { type: 'rendered'; layer: string; channels: number; ms: number };

/** The panel's and the page's messages and the page's saved state (SingletonPanel, bootWebview). */
export type ExplorerProtocol = WebviewProtocol<HostToWebview, WebviewToHost, ExplorerState>;
