// alexnet.classifyImage and alexnet.classifyFolder: pick the images, make sure the engine holds
// the model with the right weights, classify with a cancellable progress notification, and
// show the results panel. Both commands return the ClassifyItem[] (for tests and other commands).
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ClassifyItem, ModelStatus, WeightsSource } from '../../protocol/engine';
import { EngineError } from '../engine/client';
import type { EngineHost } from '../engine/engineHost';
import * as config from '../settings/configuration';
import { NoWeightsChosen, type WeightsManager } from '../weights/weightsManager';
import { ClassifyPanel } from './classifyPanel';
import { IMAGE_EXTENSIONS, MAX_FOLDER_IMAGES, listImages } from './listImages';

export { IMAGE_EXTENSIONS, isImagePath, listImages } from './listImages';

const IMAGE_FILTERS = { Images: IMAGE_EXTENSIONS.map((e) => e.slice(1)) };

export class Classifier {
  constructor(
    private readonly engine: EngineHost,
    private readonly weights: WeightsManager,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** Explorer: (clicked, selected[]); image preview title bar: (uri); palette: () -> asks. */
  async classifyImage(uri?: vscode.Uri, selected?: vscode.Uri[]): Promise<ClassifyItem[] | undefined> {
    let targets: readonly vscode.Uri[] = Array.isArray(selected) && selected.length > 1 ? selected : uri instanceof vscode.Uri ? [uri] : [];
    if (!targets.length) {
      targets =
        (await vscode.window.showOpenDialog({ canSelectMany: true, filters: IMAGE_FILTERS, openLabel: 'Classify', title: 'Classify images with AlexNet' })) ?? [];
    }
    // A folder among the selection is expanded to its images.
    const paths: string[] = [];
    for (const t of targets) {
      if ((await vscode.workspace.fs.stat(t).then((s) => s.type, () => 0)) & vscode.FileType.Directory) {
        paths.push(...(await listImages(t.fsPath)).paths);
      } else paths.push(t.fsPath);
    }
    if (!paths.length) return undefined;
    const title = paths.length === 1 ? basename(paths[0]) : `${paths.length} images`;
    return this.run(paths, title, paths.length === 1 ? 'image' : 'table');
  }

  async classifyFolder(uri?: vscode.Uri): Promise<ClassifyItem[] | undefined> {
    let folder = uri instanceof vscode.Uri ? uri : undefined;
    if (!folder) {
      folder = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Classify Folder', title: 'Classify every image in a folder' }))?.[0];
    }
    if (!folder) return undefined;
    const { paths, truncated } = await listImages(folder.fsPath);
    if (!paths.length) {
      void vscode.window.showInformationMessage(`No images (${IMAGE_EXTENSIONS.join(' ')}) in ${folder.fsPath}.`);
      return [];
    }
    if (truncated) void vscode.window.showWarningMessage(`Only the first ${MAX_FOLDER_IMAGES} images of ${folder.fsPath} are classified.`);
    return this.run(paths, `${paths.length} images in ${basename(folder.fsPath)}/`, 'table', folder.fsPath);
  }

  private async run(paths: string[], title: string, layout: 'image' | 'table', root?: string): Promise<ClassifyItem[] | undefined> {
    const variant = config.variant();
    const topK = config.topK();
    let weights: WeightsSource;
    try {
      weights = await this.weights.resolve(variant);
    } catch (err) {
      if (!(err instanceof NoWeightsChosen)) void this.showError(err, variant);
      return undefined;
    }
    try {
      const started = performance.now();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AlexNet: classifying ${title}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: 'loading the model…' });
          const model: ModelStatus = await this.engine.ensureModel({ variant, weights }, { signal: abort.signal });
          progress.report({ message: paths.length > 1 ? `0/${paths.length}` : model.weightsLabel });
          let shown = 0;
          const res = await this.engine.request('classify', { paths, topK, exifOrientation: config.exifOrientation() }, {
            signal: abort.signal,
            onEvent: (e) => {
              if (paths.length < 2) return;
              const done = e.done;
              const total = e.total ?? paths.length;
              const pct = (100 * done) / total;
              progress.report({ message: `${done}/${total}`, increment: pct - shown });
              shown = pct;
            },
          });
          return res;
        },
      );
      await ClassifyPanel.show(this.extensionUri, {
        title,
        layout,
        items: result.items,
        model: result.model,
        backend: result.backend,
        totalMs: result.totalMs || performance.now() - started,
        topK,
        root,
      });
      return result.items;
    } catch (err) {
      if (err instanceof EngineError && err.code === 'cancelled') {
        void vscode.window.setStatusBarMessage('AlexNet: classification cancelled', 3000);
        return undefined;
      }
      // Weights that did not load are forgotten, so the next try asks again.
      if (err instanceof EngineError && err.code === 'bad-weights') this.weights.setSessionChoice(variant, undefined);
      void this.showError(err, variant);
      return undefined;
    }
  }

  private async showError(err: unknown, variant: string): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const badWeights = err instanceof EngineError && (err.code === 'bad-weights' || err.code === 'no-model');
    const crashed = err instanceof EngineError && err.code === 'engine-crashed';
    if (crashed) return; // EngineHost already offers "Show Log"
    const buttons = badWeights ? ['Load Weights from File', 'Open Settings'] : ['Show Log'];
    const choice = await vscode.window.showErrorMessage(`AlexNet (${variant}): ${message}`, ...buttons);
    if (choice === 'Show Log') this.engine.log.show(true);
    else if (choice === 'Load Weights from File') await vscode.commands.executeCommand('alexnet.loadWeightsFromFile');
    else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'alexnet.weights');
  }
}
