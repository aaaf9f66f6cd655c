// The project panel (webview: src/webview/project/): a folder's images as a zoomable scatter of
// thumbnails. One panel per window, reused by each projection. It asks the engine for the UMAP
// layout after showing the PCA one, forwards the intermediate layouts, and stops that request
// when the panel closes or another folder comes.
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ProjectLayoutEvent } from '../../protocol/engine/project';
import type { ProjectProtocol, ProjectView, WebviewToHost } from '../../protocol/webview/project';
import type { EngineHost } from '../engine/engineHost';
import { OpenPanels, SingletonPanel } from '../webviews/singletonPanel';

export const PROJECT_VIEW_TYPE = 'alexnet.project';

const open = new OpenPanels<ProjectPanel>();

export class ProjectPanel extends SingletonPanel<ProjectProtocol> {
  private view?: ProjectView;
  private token?: string;
  private layout?: AbortController;
  private lastRender?: { points: number; ms: number; mode: string };

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly engine: EngineHost) {
    super(panel, extensionUri, open);
    this.setPage({ script: 'project', title: 'Project folder', styles: ['inspect.css', 'project.css'] });
  }

  /** Shows `view` (features of engine token `token`), then computes its UMAP layout. */
  static show(extensionUri: vscode.Uri, engine: EngineHost, view: ProjectView, token: string | undefined): ProjectPanel {
    let me = open.get();
    if (!me) {
      const panel = vscode.window.createWebviewPanel(PROJECT_VIEW_TYPE, view.title, vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: true });
      me = new ProjectPanel(panel, extensionUri, engine);
    } else me.reveal();
    me.panel.title = view.title;
    me.view = view;
    me.token = token;
    me.post({ type: 'view', view });
    if (token) void me.runLayout();
    else me.post({ type: 'status', state: 'done', message: 'Layout as given' });
    return me;
  }

  /** For the e2e tests: what is shown and how long the last frame took. */
  static debugState(): { folder?: string; points?: number; method?: string; render?: { points: number; ms: number; mode: string } } | undefined {
    const me = open.get();
    return me && { folder: me.view?.folder, points: me.view?.points.length, method: me.view?.method, render: me.lastRender };
  }

  private async runLayout(): Promise<void> {
    const view = this.view;
    const token = this.token;
    if (!view || !token) return;
    this.layout?.abort();
    const abort = (this.layout = new AbortController());
    if (view.points.length < 5) {
      this.post({ type: 'status', state: 'done', message: 'PCA layout (UMAP needs at least 5 images)' });
      return;
    }
    this.post({ type: 'status', state: 'busy', message: 'UMAP layout: neighbour graph…' });
    try {
      const result = await this.engine.request('projectLayout', { token, method: 'umap', seed: 1 }, {
        signal: abort.signal,
        onEvent: (e) => {
          if (e.kind === 'projectLayout') {
            const ev = e as unknown as ProjectLayoutEvent;
            this.post({ type: 'layout', id: view.id, method: 'umap', coords: ev.coords, epoch: ev.epoch, epochs: ev.epochs, done: false });
          } else if (e.kind === 'progress' && typeof e.message === 'string') this.post({ type: 'status', state: 'busy', message: `UMAP layout: ${e.message}…` });
        },
      });
      if (abort.signal.aborted || this.view !== view) return;
      view.coords = result.coords;
      view.method = result.method;
      this.post({ type: 'layout', id: view.id, method: result.method, coords: result.coords, epoch: result.epochs, epochs: result.epochs, done: true });
      this.post({ type: 'status', state: 'done', message: `UMAP layout in ${(result.ms / 1000).toFixed(1)} s` });
    } catch (err) {
      if ((err as { code?: string }).code === 'cancelled' || abort.signal.aborted) return;
      this.post({ type: 'status', state: 'error', message: `UMAP layout failed (the PCA layout stays): ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  protected async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (this.view) this.post({ type: 'view', view: this.view });
        return;
      case 'open':
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(m.path));
        return;
      case 'featureMaps':
        await vscode.commands.executeCommand('alexnet.showFeatureMaps', vscode.Uri.file(m.path));
        return;
      case 'copyPaths':
        await vscode.env.clipboard.writeText(m.paths.join('\n') + '\n');
        void vscode.window.setStatusBarMessage(`AlexNet: ${m.paths.length} paths copied`, 3000);
        return;
      case 'exportPaths': {
        const folder = this.view?.folder;
        const target = await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.file(`${folder}/selection.txt`) : undefined,
          filters: { 'Text files': ['txt'] },
          title: `Save the ${m.paths.length} selected paths`,
        });
        if (!target) return;
        await writeFile(target.fsPath, m.paths.join('\n') + '\n');
        void vscode.window.showInformationMessage(`Saved ${m.paths.length} paths to ${target.fsPath}`);
        return;
      }
      case 'layout':
        if (m.method === 'umap') await this.runLayout();
        return;
      case 'rendered':
        this.lastRender = { points: m.points, ms: m.ms, mode: m.mode };
        return;
    }
  }

  override dispose(): void {
    this.layout?.abort();
    super.dispose();
  }
}
