// Training commands: alexnet.trainOnFolder (scan -> form -> train with a progress notification
// and the live training view), alexnet.resumeTraining, alexnet.openTrainingRun and
// alexnet.useTrainedModel (a run's best.safetensors becomes the classifier's model).
// extension.ts calls registerTrainCommands once.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { EngineError } from '../engine/client';
import type { ModelStatus } from '../../protocol/engine';
import type {
  DatasetSummary, OpenRunResult, TrainConfigInput, TrainResult, TrainStorage,
} from '../../protocol/engine/train';
import { BEST_FILE, deleteRun, openRun, readRunConfig, runSizeBytes } from '../../engine/train/runFiles';
import type { VariantName } from '../../protocol/engine/model';
import type { EngineHost } from '../engine/engineHost';
import * as config from '../settings/configuration';
import type { WeightsManager } from '../weights/weightsManager';
import { describeWeights } from '../weights/weightsChoice';
import { TrainingPanel } from './trainingPanel';
import { stepPoint } from '../../protocol/webview/training';
import { epochView, liveRunView, percent, progressMessage } from './runView';
import { findRuns, runsRootFor, type RunEntry } from './runsRoot';
import { initialChoices, rememberable, toConfigInput } from './trainChoices';
import { showTrainForm, type StartingWeights } from './trainForm';

const LAST_CHOICES_KEY = 'alexnet.train.lastChoices';

/** For tests and other commands: run without the form. */
export interface TrainCommandOptions {
  /** false: no form; the remembered (or paper's) values, overridden by `config` */
  prompt?: boolean;
  config?: TrainConfigInput;
  /** default: <workspace folder>/.alexnet/runs */
  runsRoot?: string;
}

function validationFraction(): number {
  const v = vscode.workspace.getConfiguration('alexnet').get<number>('train.validationFraction', 0.2);
  return Number.isFinite(v) && v >= 0 && v < 1 ? v : 0.2;
}

function runDirArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === 'object' && typeof (arg as { runDir?: unknown }).runDir === 'string') return (arg as { runDir: string }).runDir;
  return undefined;
}

interface ActiveRun {
  abort: AbortController;
  runDir?: string;
}

export class TrainingCommands {
  private active?: ActiveRun;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineHost,
    private readonly weights: WeightsManager,
  ) {}

  private get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** Probe runs' fc7 features, kept between runs in the extension's own storage. */
  private get featureCacheDir(): string {
    return join(this.context.globalStorageUri.fsPath, 'train-features');
  }

  /** Explorer (folder uri) or palette (asks). Resolves when training ends, with the engine's result. */
  async trainOnFolder(uri?: vscode.Uri, options: TrainCommandOptions = {}): Promise<TrainResult | undefined> {
    if (this.refuseSecondRun()) return undefined;
    let folderUri = uri instanceof vscode.Uri ? uri : undefined;
    folderUri ??= (await vscode.window.showOpenDialog({
      canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Train on Folder',
      title: 'Train AlexNet on a folder (one subfolder per class, or train/ and val/)',
    }))?.[0];
    if (!folderUri) return undefined;
    const folder = folderUri.fsPath;

    const valFraction = validationFraction();
    const summary = await this.scan(folder, valFraction);
    if (!summary) return undefined;
    if (!summary.trainable && options.prompt === false) {
      void vscode.window.showErrorMessage(`Cannot train on ${folder}: ${summary.warnings.join(' ')}`);
      return undefined;
    }

    const variant = options.config?.variant ?? config.variant();
    const starting = await this.startingWeights(variant);
    let choices = initialChoices(this.context.globalState.get(LAST_CHOICES_KEY), { variant, hasWeights: !!starting.path, valFraction, trainCount: summary.trainCount });
    let weights = starting;
    let probeImage: string | undefined;
    if (options.prompt !== false) {
      const form = await showTrainForm(choices, {
        folder,
        summary,
        rescan: async (f) => (await this.scan(folder, f)) ?? summary,
        weightsFor: (v) => this.startingWeights(v),
      });
      if (!form) return undefined;
      ({ choices, weights, probeImage } = form);
      await this.context.globalState.update(LAST_CHOICES_KEY, rememberable(choices));
    }
    const trainConfig: TrainConfigInput = { ...toConfigInput(choices, weights.path), ...options.config };
    if (trainConfig.mode !== 'scratch' && !trainConfig.weights) {
      void vscode.window.showWarningMessage(
        `Training ${trainConfig.mode === 'frozen' ? 'with frozen conv layers' : 'by fine-tuning'} from random weights (${weights.label}): the run shows the mechanics, but a useful model needs pretrained weights.`,
      );
    }
    const runsRoot = options.runsRoot ?? runsRootFor(folder, this.context.globalStorageUri);
    return this.runInEngine('train', { folder, runsRoot, config: trainConfig, featureCacheDir: this.featureCacheDir, ...(probeImage ? { probeImage } : {}) }, `Training on ${basename(folder)}/`);
  }

  /** Continues a cancelled or interrupted run (argument: its folder; else a pick). */
  async resumeTraining(arg?: unknown): Promise<TrainResult | undefined> {
    if (this.refuseSecondRun()) return undefined;
    let runDir = runDirArg(arg);
    const epochs = arg && typeof arg === 'object' && typeof (arg as { epochs?: unknown }).epochs === 'number' ? (arg as { epochs: number }).epochs : undefined;
    runDir ??= (await this.pickRun((r) => !r.state?.finished && !!r.config, 'Resume which training run?', 'No unfinished training runs (a run that was cancelled or interrupted can be resumed).'))?.runDir;
    if (!runDir) return undefined;
    let history: OpenRunResult | undefined;
    try {
      history = openRun(runDir);
    } catch (err) {
      void vscode.window.showErrorMessage((err as Error).message);
      return undefined;
    }
    return this.runInEngine('resumeTraining', { runDir, ...(epochs !== undefined && { epochs }), featureCacheDir: this.featureCacheDir }, `Resuming ${basename(runDir)}`, history);
  }

  /** Shows a run's training view again from its metrics log. */
  async openTrainingRun(arg?: unknown): Promise<{ runDir: string; steps: number; epochs: number } | undefined> {
    const runDir = runDirArg(arg) ?? (await this.pickRun((r) => !!r.config, 'Open which training run?', 'No training runs in this workspace yet.'))?.runDir;
    if (!runDir) return undefined;
    try {
      // Read here, not through the engine, which may be busy training for a long while.
      const run = openRun(runDir);
      TrainingPanel.showStored(this.extensionUri, run);
      return { runDir, steps: run.steps.length, epochs: run.epochs.length };
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot open the training run: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Makes a run's best.safetensors the classifier's model: `alexnet.variant` and
   * `alexnet.weights.path` are set (so it survives a reload), then the engine loads it.
   */
  async useTrainedModel(arg?: unknown): Promise<ModelStatus | undefined> {
    const runDir = runDirArg(arg) ?? (await this.pickRun((r) => existsSync(join(r.runDir, BEST_FILE)), 'Use the model of which training run?', 'No training run has a trained model (best.safetensors) yet.'))?.runDir;
    if (!runDir) return undefined;
    const bestPath = join(runDir, BEST_FILE);
    if (!existsSync(bestPath)) {
      void vscode.window.showErrorMessage(`${basename(runDir)} has no trained model yet (no ${BEST_FILE}: no epoch finished).`);
      return undefined;
    }
    let variant: VariantName;
    try {
      variant = readRunConfig(runDir).config.variant;
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot read the run's config: ${(err as Error).message}`);
      return undefined;
    }
    const previous = { variant: config.variant(), path: vscode.workspace.getConfiguration('alexnet').get<string>('weights.path', '') };
    await config.update('variant', variant);
    await config.update('weights.path', bestPath);
    let model: ModelStatus;
    try {
      model = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AlexNet: loading the model of ${basename(runDir)}` },
        () => this.engine.ensureModel({ variant, weights: { kind: 'file', path: bestPath } }),
      );
    } catch (err) {
      await config.update('variant', previous.variant);
      await config.update('weights.path', previous.path);
      void vscode.window.showErrorMessage(`Cannot load ${bestPath}: ${(err as Error).message}`);
      return undefined;
    }
    void (async () => {
      const names = model.classNames.length > 8 ? `${model.classNames.slice(0, 8).join(', ')}, …` : model.classNames.join(', ');
      const choice = await vscode.window.showInformationMessage(
        `The classifier now uses the model trained in ${basename(runDir)} (${model.numClasses} classes: ${names}).`,
        'Undo',
      );
      if (choice === 'Undo') {
        await config.update('variant', previous.variant);
        await config.update('weights.path', previous.path);
        this.engine.invalidateModel();
      }
    })();
    return model;
  }

  /** Deletes a run folder after a modal confirmation (not the run in progress). */
  async deleteTrainingRun(arg?: unknown): Promise<boolean> {
    const runDir = runDirArg(arg) ?? (await this.pickRun((r) => !!r.config, 'Delete which training run?', 'No training runs in this workspace.'))?.runDir;
    if (!runDir) return false;
    if (this.active?.runDir === runDir) {
      void vscode.window.showWarningMessage(`${basename(runDir)} is training now: cancel it first.`);
      return false;
    }
    const size = (() => {
      try {
        return `${(runSizeBytes(runDir) / 2 ** 20).toFixed(0)} MB`;
      } catch {
        return 'its files';
      }
    })();
    const sure = await vscode.window.showWarningMessage(`Delete the training run ${basename(runDir)} (${size})? Its model and checkpoint are removed.`, { modal: true }, 'Delete');
    if (sure !== 'Delete') return false;
    try {
      deleteRun(runDir);
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot delete ${runDir}: ${(err as Error).message}`);
      return false;
    }
    if (vscode.workspace.getConfiguration('alexnet').get<string>('weights.path', '') === join(runDir, BEST_FILE)) {
      void vscode.window.showWarningMessage(`The classifier was using this run's model: set "alexnet.weights.path" again or run "AlexNet: Use Trained Model" with another run.`);
    }
    void vscode.window.showInformationMessage(`Deleted ${basename(runDir)}.`);
    return true;
  }

  /** Every run with its state, best accuracy and size; picking one offers what can be done with it. */
  async trainingRuns(): Promise<void> {
    const run = await this.pickRun(() => true, 'Training runs: pick one for its actions', 'No training runs in this workspace yet.');
    if (!run) return;
    const actions = [
      { label: '$(graph-line) Open', id: 'open' },
      ...(existsSync(join(run.runDir, BEST_FILE)) ? [{ label: '$(check) Use Trained Model', id: 'use' }] : []),
      ...(run.config && !run.state?.finished ? [{ label: '$(debug-continue) Resume', id: 'resume' }] : []),
      { label: '$(trash) Delete', id: 'delete' },
    ];
    const a = await vscode.window.showQuickPick(actions, { title: run.name, placeHolder: describeRun(run) });
    if (a?.id === 'open') await this.openTrainingRun(run.runDir);
    else if (a?.id === 'use') await this.useTrainedModel(run.runDir);
    else if (a?.id === 'resume') await this.resumeTraining(run.runDir);
    else if (a?.id === 'delete') await this.deleteTrainingRun(run.runDir);
  }

  // --- helpers ---------------------------------------------------------------------------

  private refuseSecondRun(): boolean {
    const active = this.active;
    if (!active) return false;
    void (async () => {
      const choice = await vscode.window.showWarningMessage('A training run is in progress in this window; one runs at a time.', 'Show It', 'Cancel It');
      if (choice === 'Show It' && active.runDir) await this.openTrainingRun(active.runDir);
      if (choice === 'Cancel It') active.abort.abort();
    })();
    return true;
  }

  private async scan(folder: string, valFraction: number): Promise<DatasetSummary | undefined> {
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AlexNet: scanning ${basename(folder)}/`, cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return this.engine.trainingRequest('scanDataset', { folder, valFraction }, { signal: abort.signal });
        },
      );
    } catch (err) {
      if (!(err instanceof EngineError && err.code === 'cancelled')) void vscode.window.showErrorMessage(`Cannot read ${folder}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** The classifier's current weights for `variant` (a file), or why there are none. */
  private async startingWeights(variant: VariantName): Promise<StartingWeights> {
    try {
      const decision = await this.weights.decide(variant);
      const src = decision.source;
      if (src?.kind === 'file' && existsSync(src.path)) return { path: src.path, label: describeWeights(decision).text };
      if (src?.kind === 'file') return { label: `${src.path} does not exist` };
      if (src?.kind === 'random') return { label: 'the classifier runs untrained' };
      return { label: 'none downloaded' };
    } catch (err) {
      return { label: (err as Error).message };
    }
  }

  private async pickRun(filter: (r: RunEntry) => boolean, placeHolder: string, none: string): Promise<RunEntry | undefined> {
    const runs = findRuns(this.context.globalStorageUri).filter(filter);
    if (!runs.length) {
      void vscode.window.showInformationMessage(none);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: r.name, description: describeRun(r), detail: r.runDir, run: r })),
      { placeHolder, matchOnDetail: true },
    );
    return picked?.run;
  }

  /** Runs train/resumeTraining with a progress notification and the live training view. */
  private async runInEngine(
    method: 'train' | 'resumeTraining',
    params: ({ folder: string; runsRoot: string; config: TrainConfigInput; probeImage?: string } | { runDir: string; epochs?: number }) & TrainStorage,
    title: string,
    history?: OpenRunResult,
  ): Promise<TrainResult | undefined> {
    const active: ActiveRun = { abort: new AbortController() };
    this.active = active;
    let panel: TrainingPanel | undefined;
    let totalEpochs = 0;
    let totalSteps = 0;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AlexNet: ${title}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => active.abort.abort());
          progress.report({ message: 'preparing…' });
          let shownPct = 0;
          const advance = (done: number, message: string) => {
            const pct = totalSteps ? (100 * done) / totalSteps : 0;
            progress.report({ message, increment: Math.max(0, pct - shownPct) });
            shownPct = Math.max(shownPct, pct);
          };
          return this.engine.trainingRequest(method, params as never, {
            signal: active.abort.signal,
            onEvent: (e) => {
              switch (e.kind) {
                case 'trainStart': {
                  totalEpochs = e.config.config.epochs;
                  totalSteps = e.totalSteps;
                  active.runDir = e.runDir;
                  panel = TrainingPanel.show(this.extensionUri, e.runDir, e.config.folder, (toSrc) =>
                    liveRunView(e.runDir, e.config, {
                      steps: (history?.steps ?? []).filter((s) => s.globalStep <= e.startGlobalStep).map(stepPoint),
                      epochs: (history?.epochs ?? []).filter((x) => x.epoch < e.startEpoch).map((x) => epochView(x, toSrc)),
                      hasBest: !!history?.bestPath,
                    }),
                  );
                  panel.setCancelHandler(() => active.abort.abort());
                  advance(e.startGlobalStep, e.resumed ? `resuming at epoch ${e.startEpoch}` : 'started');
                  return;
                }
                case 'trainStep': {
                  panel?.step(e, totalEpochs);
                  advance(e.globalStep, progressMessage({ ...e, totalEpochs }));
                  return;
                }
                case 'trainEpoch':
                  panel?.epoch(e);
                  return;
                case 'trainProbe':
                  panel?.probe(e);
                  return;
                case 'progress':
                  if (typeof e.message === 'string') progress.report({ message: e.message });
                  return;
              }
            },
          });
        },
      );
      if (result.cancelled) {
        panel?.finish('cancelled', `stopped after ${result.epochs} epoch${result.epochs === 1 ? '' : 's'}; the last finished epoch is kept and the run can be resumed`, !!result.bestPath);
        void this.afterCancel(result.runDir, result.epochs);
      } else {
        panel?.finish('done', result.earlyStopped ? 'stopped early: the validation loss stopped improving' : undefined, !!result.bestPath);
        void this.afterDone(result);
      }
      return result;
    } catch (err) {
      if (err instanceof EngineError && err.code === 'cancelled') {
        // The engine was restarted to stop a long step: the checkpoint of the last epoch is on disk.
        panel?.finish('cancelled', 'stopped; the last finished epoch is kept and the run can be resumed');
        if (active.runDir) void this.afterCancel(active.runDir, undefined);
        return undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      panel?.finish('error', message);
      if (!(err instanceof EngineError && err.code === 'engine-crashed')) {
        void (async () => {
          const choice = await vscode.window.showErrorMessage(`AlexNet training failed: ${message}`, 'Show Log');
          if (choice === 'Show Log') this.engine.log.show(true);
        })();
      }
      return undefined;
    } finally {
      if (this.active === active) this.active = undefined;
    }
  }

  private async afterDone(result: TrainResult): Promise<void> {
    const acc = result.bestValAcc === null ? '' : `, best validation accuracy ${percent(result.bestValAcc)}`;
    const buttons = result.bestPath ? ['Use Trained Model', 'Show Run'] : ['Show Run'];
    const choice = await vscode.window.showInformationMessage(`Training finished: ${result.epochs} epoch${result.epochs === 1 ? '' : 's'}${acc}.`, ...buttons);
    if (choice === 'Use Trained Model') await this.useTrainedModel(result.runDir);
    else if (choice === 'Show Run') await this.openTrainingRun(result.runDir);
  }

  private async afterCancel(runDir: string, epochs: number | undefined): Promise<void> {
    const done = epochs === undefined ? '' : ` after ${epochs} epoch${epochs === 1 ? '' : 's'}`;
    const choice = await vscode.window.showInformationMessage(`Training cancelled${done}. "AlexNet: Resume Training" continues it from the last finished epoch.`, 'Resume');
    if (choice === 'Resume') await this.resumeTraining(runDir);
  }

  get training(): boolean {
    return !!this.active;
  }
}

function describeRun(r: RunEntry): string {
  const c = r.config;
  const parts: string[] = [];
  if (c) parts.push(`${basename(c.folder)}/ · ${c.config.variant} ${c.config.mode} · ${c.classNames.length} classes`);
  if (r.state) {
    parts.push(`${r.state.epochsDone}/${c?.config.epochs ?? '?'} epochs${r.state.finished ? '' : ' (unfinished)'}`);
    if (r.state.bestValAcc !== null) parts.push(`best ${percent(r.state.bestValAcc)}`);
  } else parts.push('no epoch finished');
  try {
    parts.push(`${(runSizeBytes(r.runDir) / 2 ** 20).toFixed(0)} MB`);
  } catch {
    // deleted meanwhile
  }
  return parts.join(' · ');
}

export function registerTrainCommands(context: vscode.ExtensionContext, engine: EngineHost, weights: WeightsManager): vscode.Disposable {
  const commands = new TrainingCommands(context, engine, weights);
  TrainingPanel.useRunLister(() => findRuns(context.globalStorageUri));
  return vscode.Disposable.from(
    TrainingPanel.registerSerializer(context.extensionUri, async (runDir) => openRun(runDir)),
    vscode.commands.registerCommand('alexnet.trainOnFolder', (uri?: vscode.Uri, options?: TrainCommandOptions) =>
      commands.trainOnFolder(uri, options && typeof options === 'object' && !Array.isArray(options) ? options : {}),
    ),
    vscode.commands.registerCommand('alexnet.resumeTraining', (arg?: unknown) => commands.resumeTraining(arg)),
    vscode.commands.registerCommand('alexnet.openTrainingRun', (arg?: unknown) => commands.openTrainingRun(arg)),
    vscode.commands.registerCommand('alexnet.useTrainedModel', (arg?: unknown) => commands.useTrainedModel(arg)),
    vscode.commands.registerCommand('alexnet.deleteTrainingRun', (arg?: unknown) => commands.deleteTrainingRun(arg)),
    vscode.commands.registerCommand('alexnet.trainingRuns', () => commands.trainingRuns()),
  );
}
