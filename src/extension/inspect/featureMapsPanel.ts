// The feature-maps panel (webview: src/webview/featuremaps/): every channel of one layer for one
// image. The engine computes; this side fetches, cancels a stale request when the user moves on,
// and passes the typed arrays straight to the webview.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { InspectImageResult } from '../../protocol/engine';
import type { FeatureMapsProtocol, FeatureMapsState, WebviewToHost } from '../../protocol/webview/featuremaps';
import { describeFailure, type InspectEngine } from './inspectEngine';
import { OpenPanels, SingletonPanel } from '../webviews/singletonPanel';
import { IMAGE_EXTENSIONS } from '../../protocol/imageFiles';

export const FEATURE_MAPS_VIEW_TYPE = 'alexnet.featureMaps';

export class FeatureMapsPanel extends SingletonPanel<FeatureMapsProtocol> {
  private static readonly open = new OpenPanels<FeatureMapsPanel>();
  private path?: string;
  private layer?: string;
  private info?: InspectImageResult;
  private inflight?: AbortController;
  private lastRender?: { layer: string; channels: number; ms: number; frameMs: number };

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly inspect: InspectEngine) {
    super(panel, extensionUri, FeatureMapsPanel.open);
    this.setPage({ script: 'featuremaps', title: 'Feature maps', styles: ['inspect.css'] });
    this.disposables.push(
      inspect.onDidChange(() => {
        // Another model: the same image and layer, recomputed.
        if (this.path && this.info && this.inspect.currentModel && this.info.weightsLabel !== this.inspect.currentModel.weightsLabel) void this.loadImage(this.path, this.layer);
      }),
    );
  }

  static async show(extensionUri: vscode.Uri, inspect: InspectEngine, path: string, layer?: string): Promise<FeatureMapsPanel> {
    let me = FeatureMapsPanel.open.get();
    if (!me) {
      const panel = vscode.window.createWebviewPanel(FEATURE_MAPS_VIEW_TYPE, `Feature maps: ${basename(path)}`, vscode.ViewColumn.Active, { enableScripts: true });
      me = new FeatureMapsPanel(panel, extensionUri, inspect);
    } else me.reveal();
    await me.loadImage(path, layer);
    return me;
  }

  static registerSerializer(extensionUri: vscode.Uri, inspect: InspectEngine): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(FEATURE_MAPS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: FeatureMapsState | undefined) {
        const me = new FeatureMapsPanel(panel, extensionUri, inspect);
        if (state?.path) await me.loadImage(state.path, state.layer);
      },
    });
  }

  /** For the e2e tests: what is shown and how long the last grid took to draw. */
  static debugState(): { path?: string; layer?: string; render?: { layer: string; channels: number; ms: number; frameMs: number } } | undefined {
    const me = FeatureMapsPanel.open.get();
    return me && { path: me.path, layer: me.layer, render: me.lastRender };
  }

  private async loadImage(path: string, layer?: string): Promise<void> {
    this.path = path;
    this.panel.title = `Feature maps: ${basename(path)}`;
    this.post({ type: 'busy', message: `Running the model on ${basename(path)}…` });
    const signal = this.startRequest();
    try {
      const info = await this.inspect.request('inspectImage', { path }, { signal });
      const names = info.layers.map((l) => l.name);
      const chosen = layer && names.includes(layer) ? layer : this.layer && names.includes(this.layer) ? this.layer : info.convLayers[0];
      this.info = info;
      this.post({ type: 'image', image: { path, name: basename(path), info }, layer: chosen });
      await this.loadLayer(chosen);
    } catch (err) {
      this.fail(err);
    }
  }

  private async loadLayer(layer: string): Promise<void> {
    if (!this.path) return;
    this.layer = layer;
    const signal = this.startRequest();
    try {
      const maps = await this.inspect.request('inspectFeatureMaps', { path: this.path, layer }, { signal });
      if (!signal.aborted) this.post({ type: 'maps', maps });
    } catch (err) {
      this.fail(err);
    }
  }

  /** One request at a time: starting one cancels the previous (the engine stops it). */
  private startRequest(): AbortSignal {
    this.inflight?.abort();
    this.inflight = new AbortController();
    return this.inflight.signal;
  }

  private fail(err: unknown): void {
    const message = describeFailure(err);
    if (message) this.post({ type: 'error', message });
  }

  protected async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.path && this.info) {
          this.post({ type: 'image', image: { path: this.path, name: basename(this.path), info: this.info }, layer: this.layer ?? this.info.convLayers[0] });
          if (this.layer) await this.loadLayer(this.layer);
        }
        return;
      case 'layer':
        await this.loadLayer(m.layer);
        return;
      case 'pickImage': {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: [...IMAGE_EXTENSIONS] }, title: 'Feature maps of an image' });
        if (picked?.[0]) await this.loadImage(picked[0].fsPath, this.layer);
        return;
      }
      case 'rendered':
        this.lastRender = { layer: m.layer, channels: m.channels, ms: m.ms, frameMs: m.frameMs };
        return;
    }
  }

  dispose(): void {
    this.inflight?.abort();
    super.dispose();
  }
}
