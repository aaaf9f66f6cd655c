// The architecture diagram (webview: src/webview/architecture/), drawn from the loaded model's
// own description (the engine's `info`), so a trained model with its own last layer shows its
// own numbers. Clicking a layer opens its filters (conv) or feature maps.
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview/architecture';
import { describeFailure, type InspectEngine } from './inspectEngine';
import * as config from '../settings/configuration';
import { extensionResourceRoots, webviewHtml } from '../webviews/webviewHtml';

export const ARCHITECTURE_VIEW_TYPE = 'alexnet.architecture';

export class ArchitecturePanel implements vscode.Disposable {
  private static current?: ArchitecturePanel;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly inspect: InspectEngine) {
    panel.webview.options = { enableScripts: true, localResourceRoots: extensionResourceRoots(extensionUri) };
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { script: 'architecture', title: 'AlexNet architecture', styles: ['inspect.css'] });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => void this.onMessage(m)),
      // A model change (variant, trained weights) redraws the diagram.
      inspect.onDidChange(() => {
        if (inspect.currentModel) void this.refresh();
      }),
    );
  }

  static show(extensionUri: vscode.Uri, inspect: InspectEngine): ArchitecturePanel {
    if (ArchitecturePanel.current) {
      ArchitecturePanel.current.panel.reveal(undefined, false);
      void ArchitecturePanel.current.refresh();
      return ArchitecturePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(ARCHITECTURE_VIEW_TYPE, 'AlexNet architecture', vscode.ViewColumn.Active, { enableScripts: true });
    return (ArchitecturePanel.current = new ArchitecturePanel(panel, extensionUri, inspect));
  }

  static registerSerializer(extensionUri: vscode.Uri, inspect: InspectEngine): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ARCHITECTURE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        ArchitecturePanel.current?.dispose();
        ArchitecturePanel.current = new ArchitecturePanel(panel, extensionUri, inspect);
      },
    });
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async refresh(): Promise<void> {
    try {
      // The loaded model when there is one; else the configured variant's layers (no weights needed).
      const model = this.inspect.currentModel;
      const info = await this.inspect.engineRequest('info', model ? {} : { variant: config.variant() });
      this.panel.title = `AlexNet architecture (${info.variant})`;
      const numClasses = info.layers.filter((l) => l.kind === 'dense').at(-1)?.outputShape[0] ?? 0;
      this.post({ type: 'model', view: { info, weightsLabel: model?.weightsLabel ?? 'no weights loaded yet', untrained: model?.untrained ?? false, numClasses } });
    } catch (err) {
      const message = describeFailure(err);
      if (message) this.post({ type: 'error', message });
    }
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'busy', message: 'Loading the model…' });
        await this.refresh();
        return;
      case 'openLayer':
        if (m.kind === 'conv') await vscode.commands.executeCommand('alexnet.showFilters', m.layer);
        else await vscode.commands.executeCommand('alexnet.showFeatureMaps', undefined, m.layer);
        return;
    }
  }

  dispose(): void {
    if (ArchitecturePanel.current === this) ArchitecturePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
