// The architecture diagram (webview: src/webview/architecture/), drawn from the loaded model's
// own description (the engine's `info`), so a trained model with its own last layer shows its
// own numbers. Clicking a layer opens its filters (conv) or feature maps.
import * as vscode from 'vscode';
import type { ArchitectureProtocol, WebviewToHost } from '../../protocol/webview/architecture';
import { describeFailure, type InspectEngine } from './inspectEngine';
import * as config from '../settings/configuration';
import { OpenPanels, SingletonPanel } from '../webviews/singletonPanel';

export const ARCHITECTURE_VIEW_TYPE = 'alexnet.architecture';

export class ArchitecturePanel extends SingletonPanel<ArchitectureProtocol> {
  private static readonly open = new OpenPanels<ArchitecturePanel>();

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly inspect: InspectEngine) {
    super(panel, extensionUri, ArchitecturePanel.open);
    this.setPage({ script: 'architecture', title: 'AlexNet architecture', styles: ['inspect.css', 'architecture.css'] });
    this.disposables.push(
      // A model change (variant, trained weights) redraws the diagram.
      inspect.onDidChange(() => {
        if (inspect.currentModel) void this.refresh();
      }),
    );
  }

  static show(extensionUri: vscode.Uri, inspect: InspectEngine): ArchitecturePanel {
    const current = ArchitecturePanel.open.get();
    if (current) {
      current.reveal();
      void current.refresh();
      return current;
    }
    const panel = vscode.window.createWebviewPanel(ARCHITECTURE_VIEW_TYPE, 'AlexNet architecture', vscode.ViewColumn.Active, { enableScripts: true });
    return new ArchitecturePanel(panel, extensionUri, inspect);
  }

  static registerSerializer(extensionUri: vscode.Uri, inspect: InspectEngine): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ARCHITECTURE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        new ArchitecturePanel(panel, extensionUri, inspect);
      },
    });
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

  protected async onMessage(m: WebviewToHost): Promise<void> {
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
}
