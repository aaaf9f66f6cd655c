// The filters panel (webview: src/webview/filters/): a conv layer's learned filters, and
// "what excites this channel" images synthesised in the engine with progress and cancel.
import * as vscode from 'vscode';
import type { WebviewToHost, ConvLayerInfo, FiltersProtocol, FiltersState } from '../../protocol/webview/filters';
import { describeFailure, type InspectEngine } from './inspectEngine';
import { OpenPanels, SingletonPanel } from '../webviews/singletonPanel';

export const FILTERS_VIEW_TYPE = 'alexnet.filters';

export class FiltersPanel extends SingletonPanel<FiltersProtocol> {
  private static readonly open = new OpenPanels<FiltersPanel>();
  private layer?: string;
  private layers: ConvLayerInfo[] = [];
  private loading?: AbortController;
  private synthesis?: AbortController;

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly inspect: InspectEngine) {
    super(panel, extensionUri, FiltersPanel.open);
    this.setPage({ script: 'filters', title: 'Filters', styles: ['inspect.css'] });
  }

  static show(extensionUri: vscode.Uri, inspect: InspectEngine, layer?: string): FiltersPanel {
    let me = FiltersPanel.open.get();
    if (!me) {
      const panel = vscode.window.createWebviewPanel(FILTERS_VIEW_TYPE, 'AlexNet filters', vscode.ViewColumn.Active, { enableScripts: true });
      me = new FiltersPanel(panel, extensionUri, inspect);
      me.layer = layer;
    } else {
      me.reveal();
      if (layer) void me.showLayer(layer);
    }
    return me;
  }

  static registerSerializer(extensionUri: vscode.Uri, inspect: InspectEngine): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(FILTERS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: FiltersState | undefined) {
        const me = new FiltersPanel(panel, extensionUri, inspect);
        me.layer = state?.layer;
      },
    });
  }

  private fail(err: unknown): void {
    const message = describeFailure(err);
    if (message) this.post({ type: 'error', message });
  }

  /** Sends the conv layer list (from the loaded model's own description), then the filters. */
  private async start(layer?: string): Promise<void> {
    this.post({ type: 'busy', message: 'Loading the model…' });
    try {
      const model = await this.inspect.model();
      const info = await this.inspect.request('info', {});
      this.layers = info.layers
        .filter((l) => l.kind === 'conv')
        .map((l, i, convs) => ({
          name: l.name,
          filters: l.outputShape[2],
          kernel: l.kernel ?? 0,
          groups: l.groups ?? 1,
          inChannels: i === 0 ? 3 : convs[i - 1].outputShape[2],
        }));
      const chosen = layer && this.layers.some((l) => l.name === layer) ? layer : this.layers[0]?.name;
      if (!chosen) throw new Error('The model has no conv layers');
      this.post({ type: 'layers', layers: this.layers, layer: chosen, variant: model.variant, weightsLabel: model.weightsLabel, untrained: model.untrained });
      await this.showLayer(chosen);
    } catch (err) {
      this.fail(err);
    }
  }

  private async showLayer(layer: string): Promise<void> {
    this.layer = layer;
    this.panel.title = `AlexNet filters: ${layer}`;
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    try {
      const block = await this.inspect.request('inspectFilters', { layer }, { signal: loading.signal });
      if (!loading.signal.aborted) this.post({ type: 'filters', block });
    } catch (err) {
      this.fail(err);
    }
  }

  private async synthesize(layer: string, channel: number, steps: number): Promise<void> {
    this.synthesis?.abort();
    const synthesis = (this.synthesis = new AbortController());
    try {
      const result = await this.inspect.request(
        'inspectSynthesize',
        { layer, channel, steps },
        {
          signal: synthesis.signal,
          onEvent: (e) => {
            if (e.kind === 'progress') this.post({ type: 'synthProgress', layer, channel, step: e.done, steps: e.total ?? steps });
            else this.post({ type: 'synthPreview', layer, channel, step: e.step, steps: e.steps, activation: e.activation, image: e.image });
          },
        },
      );
      this.post({ type: 'synthDone', result });
    } catch (err) {
      const message = describeFailure(err);
      this.post({ type: 'synthFailed', layer, channel, message: message ?? 'Cancelled', cancelled: !message });
    } finally {
      if (this.synthesis === synthesis) this.synthesis = undefined;
    }
  }

  protected async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.start(this.layer ?? m.layer);
        return;
      case 'layer':
        await this.showLayer(m.layer);
        return;
      case 'synthesize':
        await this.synthesize(m.layer, m.channel, m.steps);
        return;
      case 'cancelSynthesis':
        this.synthesis?.abort();
        return;
    }
  }

  dispose(): void {
    this.loading?.abort();
    this.synthesis?.abort();
    super.dispose();
  }
}
