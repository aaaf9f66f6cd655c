// The "see inside AlexNet" commands and views: architecture diagram, filters, feature maps and
// the activation explorer side panel. extension.ts calls registerInspectCommands once.
import * as vscode from 'vscode';
import type { EngineHost } from '../engine/engineHost';
import type { WeightsManager } from '../weights/weightsManager';
import { NoWeightsChosen } from '../weights/weightsManager';
import type { Method, ModelStatus, ParamsOf, ResultOf } from '../../protocol/engine';
import type { RequestOptions } from '../engine/client';
import * as config from '../settings/configuration';
import { ArchitecturePanel } from './architecturePanel';
import { FiltersPanel } from './filtersPanel';
import { FeatureMapsPanel } from './featureMapsPanel';
import { ActivationExplorer, ACTIVATION_EXPLORER_VIEW } from './activationExplorer';
import { isImagePath } from '../classify/classifyCommands';

/** What the inspect panels need from the engine: the active model, loaded on demand. */
export class InspectEngine {
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly engine: EngineHost, private readonly weights: WeightsManager) {
    this.onDidChange = engine.onDidChange;
  }

  /** The loaded model (a trained one stays); when none, the configured variant and weights. */
  async model(signal?: AbortSignal): Promise<ModelStatus> {
    if (this.engine.model && this.engine.running) return this.engine.model;
    const variant = config.variant();
    const weights = await this.weights.resolve(variant);
    return this.engine.ensureModel({ variant, weights }, { signal });
  }

  /** Makes sure a model is loaded, then sends the request. */
  async request<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions = {}): Promise<ResultOf<M>> {
    await this.model(options.signal);
    return this.engine.request(method, params, options);
  }

  /** Sends a request without loading a model first (e.g. `info` for a variant). */
  engineRequest<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions = {}): Promise<ResultOf<M>> {
    return this.engine.request(method, params, options);
  }

  get currentModel(): ModelStatus | undefined {
    return this.engine.model;
  }
}

/** A message for a failed inspect request, or undefined when it was cancelled or dismissed. */
export function describeFailure(err: unknown): string | undefined {
  if (err instanceof NoWeightsChosen) return 'No weights chosen: pick weights to look inside the model.';
  const code = (err as { code?: string })?.code;
  if (code === 'cancelled') return undefined;
  return err instanceof Error ? err.message : String(err);
}

/** The image open in the active editor tab (image preview or any tab showing an image file). */
export function activeImageUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return uri && uri.scheme === 'file' && isImagePath(uri.fsPath) ? uri : undefined;
}

async function pickImage(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { Images: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff'] },
    openLabel: 'Choose',
    title,
  });
  return picked?.[0];
}

export function registerInspectCommands(context: vscode.ExtensionContext, engine: EngineHost, weights: WeightsManager): vscode.Disposable {
  const inspect = new InspectEngine(engine, weights);
  const uri = context.extensionUri;
  const explorer = new ActivationExplorer(uri, inspect, context.workspaceState, pickImage);
  const command = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return vscode.Disposable.from(
    explorer,
    ArchitecturePanel.registerSerializer(uri, inspect),
    FiltersPanel.registerSerializer(uri, inspect),
    FeatureMapsPanel.registerSerializer(uri, inspect),
    vscode.window.registerWebviewViewProvider(ACTIVATION_EXPLORER_VIEW, explorer, { webviewOptions: { retainContextWhenHidden: false } }),
    command('alexnet.showArchitecture', () => ArchitecturePanel.show(uri, inspect)),
    command('alexnet.showFilters', (layer?: unknown) => FiltersPanel.show(uri, inspect, typeof layer === 'string' ? layer : undefined)),
    command('alexnet.showFeatureMaps', async (target?: unknown, layer?: unknown) => {
      const image = target instanceof vscode.Uri ? target : activeImageUri() ?? explorer.currentImage ?? (await pickImage('Show feature maps for an image'));
      if (!image) return undefined;
      return FeatureMapsPanel.show(uri, inspect, image.fsPath, typeof layer === 'string' ? layer : undefined);
    }),
    command('alexnet.exploreActivations', async (target?: unknown) => {
      const image = target instanceof vscode.Uri ? target : activeImageUri() ?? (await pickImage('Explore the activations of an image'));
      if (!image) return undefined;
      await explorer.reveal(image);
      return image.fsPath;
    }),
    // Not in the palette: lets the e2e tests read what the views show.
    command('alexnet.debug.inspectState', () => ({ explorer: explorer.debugState(), featureMaps: FeatureMapsPanel.debugState() })),
  );
}
