// alexnet.projectFolder: every image of a folder through the network (fc7 features, cached in
// global storage), shown as a 2-D map in the project panel. Progress with Cancel while the
// features are computed; what was computed before a cancel stays cached for the next try.
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { ProjectFeaturesResult } from '../../protocol/engine/project';
import type { ProjectView } from '../../protocol/webview/project';
import { EngineError } from '../engine/client';
import type { EngineHost } from '../engine/engineHost';
import * as config from '../settings/configuration';
import { NoWeightsChosen, type WeightsManager } from '../weights/weightsManager';
import { IMAGE_EXTENSIONS, MAX_FOLDER_IMAGES, listImages } from '../classify/listImages';
import { folderClasses } from './folderClasses';
import { ProjectPanel } from './projectPanel';
import { syntheticProjectView } from './syntheticProject';

export interface ProjectSummary {
  folder: string;
  images: number;
  computed: number;
  cached: number;
  failed: number;
  runtime: string;
}

export function buildProjectView(folder: string, result: ProjectFeaturesResult): ProjectView {
  const ok = result.images.filter((i) => i.ok);
  const classes = folderClasses(folder, ok.map((i) => i.path));
  const failures = result.images.filter((i) => !i.ok);
  const all = folderClasses(folder, failures.map((i) => i.path));
  return {
    id: randomUUID(),
    folder,
    title: `Project: ${basename(folder)}/`,
    points: ok.map((img, i) => ({ path: img.path, rel: classes.rel[i], folderClass: classes.index[i], top: img.ok ? img.top : [] })),
    folderClasses: classes.classes,
    classNames: result.classNames,
    thumbSize: result.thumbSize,
    thumbnails: result.thumbnails,
    coords: result.pca,
    method: 'pca',
    explained: result.explained,
    weightsLabel: result.weightsLabel,
    untrained: result.untrained,
    variant: result.variant,
    runtime: result.runtime,
    layer: result.layer,
    dims: result.dims,
    stats: { images: result.images.length, computed: result.computed, cached: result.cached, failed: failures.length, ms: result.ms },
    failures: failures.map((f, i) => ({ rel: all.rel[i], error: f.ok ? '' : f.error })),
  };
}

export function registerProjectCommands(context: vscode.ExtensionContext, engine: EngineHost, weights: WeightsManager): vscode.Disposable {
  const cacheDir = join(context.globalStorageUri.fsPath, 'project-features');
  // Not in the palette: lets the e2e tests read what the view shows.
  const debug = vscode.commands.registerCommand('alexnet.debug.projectState', () => ProjectPanel.debugState());
  if (process.env.ALEXNET_E2E_DEBUG) void vscode.commands.executeCommand('setContext', 'alexnet.e2eDebug', true);
  const synthetic = vscode.commands.registerCommand('alexnet.debug.projectSynthetic', async (count?: unknown) => {
    const n = typeof count === 'number' ? count : Number(await vscode.window.showInputBox({ title: 'Synthetic points', value: '5000' }));
    if (!(n > 0)) return undefined;
    ProjectPanel.show(context.extensionUri, engine, syntheticProjectView(Math.min(20000, Math.round(n))), undefined);
    return n;
  });
  const project = vscode.commands.registerCommand('alexnet.projectFolder', async (uri?: unknown): Promise<ProjectSummary | undefined> => {
    let folder = uri instanceof vscode.Uri ? uri : undefined;
    folder ??= (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Project Folder', title: 'See every image of a folder on one map' }))?.[0];
    if (!folder) return undefined;
    const { paths, truncated } = await listImages(folder.fsPath);
    if (!paths.length) {
      void vscode.window.showInformationMessage(`No images (${IMAGE_EXTENSIONS.join(' ')}) in ${folder.fsPath}.`);
      return undefined;
    }
    if (truncated) void vscode.window.showWarningMessage(`Only the first ${MAX_FOLDER_IMAGES} images of ${folder.fsPath} are projected.`);
    const variant = config.variant();
    let source;
    try {
      source = await weights.resolve(variant);
    } catch (err) {
      if (!(err instanceof NoWeightsChosen)) void vscode.window.showErrorMessage(`AlexNet: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AlexNet: features of ${paths.length} images in ${basename(folder.fsPath)}/`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: 'loading the model…' });
          await engine.ensureModel({ variant, weights: source }, { signal: abort.signal });
          let shown = 0;
          return engine.request('projectFeatures', { paths, cacheDir, topK: 5 }, {
            signal: abort.signal,
            onEvent: (e) => {
              if (e.kind !== 'progress') return;
              const pct = (100 * Number(e.done)) / Number(e.total ?? paths.length);
              progress.report({ message: String(e.message ?? ''), increment: pct - shown });
              shown = pct;
            },
          });
        },
      );
      const view = buildProjectView(folder.fsPath, result);
      if (!view.points.length) {
        void vscode.window.showErrorMessage(`AlexNet: none of the ${paths.length} images in ${folder.fsPath} could be read (${view.failures[0]?.error ?? ''}).`);
        return undefined;
      }
      ProjectPanel.show(context.extensionUri, engine, view, result.token);
      return { folder: folder.fsPath, images: paths.length, computed: result.computed, cached: result.cached, failed: view.stats.failed, runtime: result.runtime };
    } catch (err) {
      if (err instanceof EngineError && err.code === 'cancelled') {
        void vscode.window.setStatusBarMessage('AlexNet: projection cancelled (the features computed so far are kept)', 4000);
        return undefined;
      }
      if (err instanceof EngineError && err.code === 'engine-crashed') return undefined;
      void vscode.window.showErrorMessage(`AlexNet: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  });
  return vscode.Disposable.from(debug, synthetic, project);
}
