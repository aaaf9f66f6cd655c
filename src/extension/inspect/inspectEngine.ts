// What the inspect panels and the activation explorer share: the engine with its model loaded
// on demand, failure messages, and where an image to inspect comes from. A file of its own so
// that the panels do not import inspectCommands.ts, which imports them.
import * as vscode from 'vscode';
import type { EngineHost } from '../engine/engineHost';
import type { WeightsManager } from '../weights/weightsManager';
import { NoWeightsChosen } from '../weights/weightsManager';
import type { Method, ModelStatus, ParamsOf, ResultOf } from '../../protocol/engine';
import type { RequestOptions } from '../engine/client';
import * as config from '../settings/configuration';
import { IMAGE_EXTENSIONS, isImagePath } from '../../protocol/imageFiles';

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
  async request<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    await this.model(options.signal);
    return this.engine.request(method, params, options);
  }

  /** Sends a request without loading a model first (e.g. `info` for a variant). */
  engineRequest<M extends Method>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
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

export async function pickImage(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { Images: [...IMAGE_EXTENSIONS] },
    openLabel: 'Choose',
    title,
  });
  return picked?.[0];
}
