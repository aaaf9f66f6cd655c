// Messages between the filters panel (host: src/extension/inspect/filtersPanel.ts) and its
// webview (main.ts). Weights and synthesised images arrive as typed arrays.
import type { FilterBlock, RgbaImage, SynthesizeResult } from '../engine';
import type { WebviewProtocol } from './protocol';

export interface ConvLayerInfo {
  name: string;
  filters: number;
  kernel: number;
  groups: number;
  inChannels: number;
}

export type HostToWebview =
  | { type: 'layers'; layers: ConvLayerInfo[]; layer: string; variant: string; weightsLabel: string; untrained: boolean }
  | { type: 'filters'; block: FilterBlock }
  | { type: 'synthProgress'; layer: string; channel: number; step: number; steps: number }
  | { type: 'synthPreview'; layer: string; channel: number; step: number; steps: number; activation: number; image: RgbaImage }
  | { type: 'synthDone'; result: SynthesizeResult }
  | { type: 'synthFailed'; layer: string; channel: number; message: string; cancelled: boolean }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready'; layer?: string }
  | { type: 'layer'; layer: string }
  | { type: 'synthesize'; layer: string; channel: number; steps: number }
  | { type: 'cancelSynthesis' };

export interface FiltersState {
  layer?: string;
  globalScale: boolean;
  zoom: number;
  selected?: number;
}

/** The panel's and the page's messages and the page's saved state (SingletonPanel, bootWebview). */
export type FiltersProtocol = WebviewProtocol<HostToWebview, WebviewToHost, FiltersState>;
