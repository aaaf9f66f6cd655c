// Messages between the feature-maps panel (host: src/extension/inspect/featureMapsPanel.ts) and
// its webview (main.ts). Activations arrive as Float32Arrays (postMessage carries typed arrays
// as binary), never as JSON number arrays.
import type { FeatureMaps, InspectImageResult } from '../engine';
import type { WebviewProtocol } from './protocol';

export interface FeatureMapsImage {
  path: string;
  name: string;
  info: InspectImageResult;
}

export type HostToWebview =
  | { type: 'image'; image: FeatureMapsImage; layer: string }
  | { type: 'maps'; maps: FeatureMaps }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'layer'; layer: string }
  | { type: 'pickImage' }
  | { type: 'rendered'; layer: string; channels: number; ms: number; frameMs: number };

/** What the webview keeps across hide/show and reloads. */
export interface FeatureMapsState {
  path?: string;
  layer?: string;
  sortByMean: boolean;
  normalise: 'channel' | 'layer';
  zoom: number;
  selected?: number;
  /** the large view's map over the image, 0 (image only) .. 1 (map only) */
  opacity?: number;
}

/** The panel's and the page's messages and the page's saved state (SingletonPanel, bootWebview). */
export type FeatureMapsProtocol = WebviewProtocol<HostToWebview, WebviewToHost, FeatureMapsState>;
