// The activation explorer: a side-panel webview (view alexnet.activationExplorer in the AlexNet
// activity-bar container; webview: src/webview/explorer/). It follows the image open in the
// editor or passed to alexnet.exploreActivations, shows the top-5, steps through layers and
// channels, and shows Grad-CAM for the chosen class. The selection survives reloads
// (webview state for hide/show, workspaceState for window reloads).
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { InspectImageResult } from '../../protocol/engine';
import type { ExplorerState, HostToWebview, WebviewToHost } from '../../protocol/webview/explorer';
import { activeImageUri, describeFailure, type InspectEngine } from './inspectEngine';
import { extensionResourceRoots, webviewHtml } from '../webviews/webviewHtml';

export const ACTIVATION_EXPLORER_VIEW = 'alexnet.activationExplorer';
const STATE_KEY = 'alexnet.activationExplorer.state';

export class ActivationExplorer implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  private state: ExplorerState;
  private info?: InspectImageResult;
  private readonly inflight = new Map<'image' | 'maps' | 'cam', AbortController>();
  private lastRender?: { layer: string; channels: number; ms: number };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly inspect: InspectEngine,
    private readonly memento: vscode.Memento,
    private readonly pickImage: (title: string) => Promise<vscode.Uri | undefined>,
  ) {
    this.state = { sortByMean: true, ...memento.get<ExplorerState>(STATE_KEY) };
    const follow = () => {
      const uri = activeImageUri();
      if (uri && uri.fsPath !== this.state.path) void this.setImage(uri.fsPath);
    };
    this.disposables.push(
      vscode.window.tabGroups.onDidChangeTabs(follow),
      vscode.window.tabGroups.onDidChangeTabGroups(follow),
      inspect.onDidChange(() => {
        // A different model answers differently: run the image again.
        const model = inspect.currentModel;
        if (this.state.path && this.info && model && model.weightsLabel !== this.info.weightsLabel) void this.setImage(this.state.path);
      }),
    );
  }

  get currentImage(): vscode.Uri | undefined {
    return this.state.path ? vscode.Uri.file(this.state.path) : undefined;
  }

  /** Shows the side panel with `uri`. */
  async reveal(uri: vscode.Uri): Promise<void> {
    this.state = { ...this.state, path: uri.fsPath, channel: undefined, classIndex: undefined };
    await this.memento.update(STATE_KEY, this.state);
    if (this.view) {
      this.view.show(true);
      await this.setImage(uri.fsPath);
    } else {
      // Resolving the view sends 'ready', which loads the image from the state.
      await vscode.commands.executeCommand(`${ACTIVATION_EXPLORER_VIEW}.focus`);
    }
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: extensionResourceRoots(this.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.extensionUri, {
      script: 'explorer',
      title: 'Activation explorer',
      styles: ['inspect.css'],
      body: '<div id="app" class="explorer"></div>',
    });
    view.webview.onDidReceiveMessage((m: WebviewToHost) => void this.onMessage(m), undefined, this.disposables);
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
      for (const c of this.inflight.values()) c.abort();
    });
  }

  debugState(): { state: ExplorerState; top?: string; render?: { layer: string; channels: number; ms: number } } {
    return { state: this.state, top: this.info?.predictions[0]?.label, render: this.lastRender };
  }

  private post(message: HostToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  private async saveState(patch: Partial<ExplorerState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await this.memento.update(STATE_KEY, this.state);
  }

  /** Cancels the previous request of the same kind: the user has moved on. */
  private start(kind: 'image' | 'maps' | 'cam'): AbortSignal {
    this.inflight.get(kind)?.abort();
    const c = new AbortController();
    this.inflight.set(kind, c);
    return c.signal;
  }

  private fail(err: unknown): void {
    const message = describeFailure(err);
    if (message) this.post({ type: 'error', message });
  }

  private async setImage(path: string): Promise<void> {
    if (path !== this.state.path) await this.saveState({ path, channel: undefined, classIndex: undefined });
    if (!this.view) return;
    for (const c of this.inflight.values()) c.abort();
    const signal = this.start('image');
    this.post({ type: 'busy', message: `Running the model on ${basename(path)}…` });
    try {
      const info = await this.inspect.request('inspectImage', { path }, { signal });
      if (signal.aborted) return;
      this.info = info;
      const names = info.layers.map((l) => l.name);
      const layer = this.state.layer && names.includes(this.state.layer) ? this.state.layer : info.convLayers[0];
      const numClasses = this.inspect.currentModel?.numClasses ?? 0;
      const classIndex = this.state.classIndex !== undefined && this.state.classIndex < numClasses ? this.state.classIndex : info.predictions[0]?.index;
      await this.saveState({ layer, classIndex });
      this.post({ type: 'image', name: basename(path), info, state: this.state });
      await Promise.all([this.loadMaps(layer), this.loadCam(classIndex)]);
    } catch (err) {
      this.fail(err);
    }
  }

  private async loadMaps(layer: string): Promise<void> {
    const path = this.state.path;
    if (!path) return;
    const signal = this.start('maps');
    try {
      const maps = await this.inspect.request('inspectFeatureMaps', { path, layer }, { signal });
      if (!signal.aborted) this.post({ type: 'maps', maps });
    } catch (err) {
      this.fail(err);
    }
  }

  private async loadCam(classIndex: number | undefined): Promise<void> {
    const path = this.state.path;
    if (!path) return;
    const signal = this.start('cam');
    try {
      const cam = await this.inspect.request('inspectGradCam', { path, ...(classIndex !== undefined && { classIndex }) }, { signal });
      if (!signal.aborted) this.post({ type: 'cam', cam });
    } catch (err) {
      this.fail(err);
    }
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // The webview's own state is the freshest (hide/show); the workspace state covers reloads.
        if (m.state?.path && m.state.path === this.state.path) this.state = { ...this.state, ...m.state };
        const path = this.state.path ?? activeImageUri()?.fsPath;
        if (path) await this.setImage(path);
        else this.post({ type: 'empty' });
        return;
      }
      case 'layer':
        await this.saveState({ layer: m.layer, channel: undefined });
        await this.loadMaps(m.layer);
        return;
      case 'class':
        await this.saveState({ classIndex: m.classIndex });
        await this.loadCam(m.classIndex);
        return;
      case 'state':
        if (m.state.path === this.state.path) await this.saveState(m.state);
        return;
      case 'pickImage': {
        const uri = await this.pickImage('Explore the activations of an image');
        if (uri) await this.setImage(uri.fsPath);
        return;
      }
      case 'openPanel':
        if (this.state.path) await vscode.commands.executeCommand('alexnet.showFeatureMaps', vscode.Uri.file(this.state.path), m.layer);
        return;
      case 'rendered':
        this.lastRender = { layer: m.layer, channels: m.channels, ms: m.ms };
        return;
    }
  }

  dispose(): void {
    for (const c of this.inflight.values()) c.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
