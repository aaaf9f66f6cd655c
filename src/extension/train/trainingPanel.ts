// The training view (webview: src/webview/training/): one panel per run folder, live while the
// run trains in this window, or read back from the run's metrics log. The host keeps the whole
// run (RunView) and sends it on every page load, so a hidden-then-shown page misses nothing.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { OpenRunResult, TrainEpochEvent, TrainProbeEvent, TrainStepEvent } from '../../protocol/engine/train';
import type { RunStatus, RunView, TrainingProtocol, TrainingWebviewState, WebviewToHost } from '../../protocol/webview/training';
import { stepPoint } from '../../protocol/webview/training';
import { comparisonRun, epochView, runViewFromOpenRun, type ToWebviewSrc } from './runView';
import { openRun } from '../../engine/train/runFiles';
import type { RunEntry } from './runsRoot';
import { escapeHtml, extensionResourceRoots, webviewHtml } from '../webviews/webviewHtml';
import { OpenPanels, SingletonPanel } from '../webviews/singletonPanel';
import { ValidationGallery } from './validationGallery';
import { probeViewOf } from './probeView';
import { writeProbeRequest } from '../../engine/train/probeFiles';
import { IMAGE_EXTENSIONS } from '../../protocol/imageFiles';

export const TRAINING_VIEW_TYPE = 'alexnet.training';

export class TrainingPanel extends SingletonPanel<TrainingProtocol> {
  /** one panel per run folder */
  private static readonly panels = new OpenPanels<TrainingPanel>();
  /** the runs Compare with Run… offers (registerTrainCommands sets it: findRuns over every runs folder) */
  private static listRuns: () => RunEntry[] = () => [];
  private view: RunView;
  /** set while this window trains the run: the view's Cancel button calls it */
  private cancelHandler?: () => void;
  private readonly toSrc: ToWebviewSrc;
  /** the gallery's images and the Move/Exclude edits made from this view */
  private readonly gallery: ValidationGallery;

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, build: (toSrc: ToWebviewSrc) => RunView) {
    const toSrc: ToWebviewSrc = (path) => panel.webview.asWebviewUri(vscode.Uri.file(path)).toString();
    const view = build(toSrc);
    super(panel, extensionUri, TrainingPanel.panels, view.runDir);
    this.toSrc = toSrc;
    this.view = view;
    this.gallery = new ValidationGallery({
      runDir: () => this.view.runDir,
      config: () => this.view.config,
      training: () => this.view.live && this.view.status === 'training',
      toSrc,
      post: (m) => this.post(m),
    });
    this.load();
  }

  /** The panel of a run folder, if open. */
  static get(runDir: string): TrainingPanel | undefined {
    return TrainingPanel.panels.get(runDir);
  }

  /** Opens (or reveals and refreshes) the panel of `runDir` with the view `build` makes. */
  static show(extensionUri: vscode.Uri, runDir: string, datasetFolder: string, build: (toSrc: ToWebviewSrc) => RunView): TrainingPanel {
    const existing = TrainingPanel.panels.get(runDir);
    if (existing) {
      existing.view = build(existing.toSrc);
      existing.reveal(true);
      existing.post({ type: 'snapshot', view: existing.view });
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      TRAINING_VIEW_TYPE,
      `Training ${shortName(runDir)}`,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
      { enableScripts: true, localResourceRoots: roots(extensionUri, datasetFolder) },
    );
    return new TrainingPanel(panel, extensionUri, build);
  }

  /** Shows a run folder read back by the engine's openRun. */
  static showStored(extensionUri: vscode.Uri, run: OpenRunResult): TrainingPanel {
    const live = TrainingPanel.panels.get(run.runDir);
    if (live?.view.live) {
      live.reveal();
      return live;
    }
    return TrainingPanel.show(extensionUri, run.runDir, run.config.folder, (toSrc) => runViewFromOpenRun(run, toSrc));
  }

  /** Where Compare with Run… finds the other runs. */
  static useRunLister(list: () => RunEntry[]): void {
    TrainingPanel.listRuns = list;
  }

  /** Restores panels after a window reload: the run is read again from its folder. */
  static registerSerializer(extensionUri: vscode.Uri, openRun: (runDir: string) => Promise<OpenRunResult>): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(TRAINING_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TrainingWebviewState | undefined) {
        const runDir = state?.view?.runDir;
        if (!runDir) {
          panel.dispose();
          return;
        }
        try {
          const run = await openRun(runDir);
          panel.webview.options = { enableScripts: true, localResourceRoots: roots(extensionUri, run.config.folder) };
          new TrainingPanel(panel, extensionUri, (toSrc) => runViewFromOpenRun(run, toSrc));
        } catch {
          panel.dispose(); // the run folder is gone
        }
      },
    });
  }

  get runDir(): string {
    return this.view.runDir;
  }
  get status(): RunStatus {
    return this.view.status;
  }

  setCancelHandler(handler: (() => void) | undefined): void {
    this.cancelHandler = handler;
  }

  step(e: TrainStepEvent, totalEpochs: number): void {
    const point = stepPoint(e);
    this.view.steps.push(point);
    this.view.progress = {
      epoch: e.epoch, totalEpochs, step: e.step, stepsPerEpoch: e.stepsPerEpoch, imagesPerSec: e.imagesPerSec, etaSeconds: e.etaSeconds,
    };
    this.post({ type: 'step', step: point, progress: this.view.progress });
  }

  epoch(e: TrainEpochEvent): void {
    const ev = epochView(e, this.toSrc);
    this.view.epochs.push(ev);
    if (e.best) this.view.hasBest = true;
    this.post({ type: 'epoch', epoch: ev, hasBest: this.view.hasBest });
  }

  /** an epoch computed the probe image's top-5 and Grad-CAM */
  probe(e: TrainProbeEvent): void {
    const { kind: _k, runDir: _r, ...record } = e;
    this.view.probe = probeViewOf(record);
    this.view.probeImage = e.image;
    this.post({ type: 'probe', image: e.image, probe: this.view.probe });
  }

  finish(status: RunStatus, message?: string, hasBest = this.view.hasBest): void {
    this.cancelHandler = undefined;
    this.view = { ...this.view, status, message, live: false, hasBest, progress: undefined };
    this.post({ type: 'status', status, message, hasBest, live: false });
  }

  private load(): void {
    const webview = this.panel.webview;
    this.panel.title = `Training ${this.view.name}`;
    webview.html = webviewHtml(webview, this.extensionUri, {
      script: 'training',
      title: `Training ${this.view.name}`,
      styles: ['training.css'],
      body: `<div id="app" data-run-dir="${escapeHtml(this.view.runDir)}"></div>`,
    });
  }

  protected async onMessage(m: WebviewToHost): Promise<void> {
    const runDir = vscode.Uri.file(this.view.runDir);
    switch (m.type) {
      case 'ready':
        this.post({ type: 'snapshot', view: this.view });
        return;
      case 'cancel':
        this.cancelHandler?.();
        return;
      case 'useModel':
        await vscode.commands.executeCommand('alexnet.useTrainedModel', this.view.runDir);
        return;
      case 'resume':
        await vscode.commands.executeCommand('alexnet.resumeTraining', this.view.runDir);
        return;
      case 'revealRun':
        // The Explorer when the run is inside the workspace, else the OS file manager.
        if (vscode.workspace.getWorkspaceFolder(runDir)) await vscode.commands.executeCommand('revealInExplorer', runDir);
        else await vscode.commands.executeCommand('revealFileInOS', runDir);
        return;
      case 'openImage':
        if (!existsSync(m.path)) {
          void vscode.window.showErrorMessage(`${m.path} is gone: it was moved or deleted since this run validated it`);
          return;
        }
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(m.path), { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return;
      case 'getValidation':
        this.gallery.answer(m.epoch);
        return;
      case 'moveImage':
        await this.gallery.move(m.path);
        return;
      case 'excludeImage':
        await this.gallery.exclude(m.path);
        return;
      case 'undoEdit':
        await this.gallery.undo(m.path);
        return;
      case 'retrain':
        await vscode.commands.executeCommand('alexnet.trainOnFolder', vscode.Uri.file(this.view.config.folder));
        return;
      case 'pickComparison':
        await this.pickComparison();
        return;
      case 'chooseProbe':
        await this.chooseProbe();
        return;
    }
  }

  /** Choose Probe Image…: probe.json in the run folder; the trainer reads it after each epoch, even mid-run. */
  private async chooseProbe(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Probe image: its top-5 and Grad-CAM are computed after every epoch',
      canSelectMany: false, openLabel: 'Use as Probe Image', filters: { Images: [...IMAGE_EXTENSIONS] },
      defaultUri: vscode.Uri.file(this.view.config.folder),
    });
    const image = picked?.[0]?.fsPath;
    if (!image) return;
    try {
      writeProbeRequest(this.view.runDir, image);
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot set the probe image in ${this.view.runDir}: ${(err as Error).message}`);
      return;
    }
    this.view.probeImage = image;
    if (this.view.probe?.image !== image) delete this.view.probe;
    this.post({ type: 'probe', image, probe: this.view.probe ?? null });
  }

  /** Compare with Run…: another run with a config, picked from the run folders; its epochs go to the page. */
  private async pickComparison(): Promise<void> {
    const runs = TrainingPanel.listRuns().filter((r) => r.config && r.runDir !== this.view.runDir);
    if (!runs.length) {
      void vscode.window.showInformationMessage('No other training run to compare with: train another run first (runs live in the workspace\'s .alexnet/runs).');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: r.name, description: r.config ? `${r.config.config.mode} · ${r.config.config.epochs} epochs · lr ${r.config.config.lr}` : '', detail: r.runDir, runDir: r.runDir })),
      { placeHolder: `Compare ${this.view.name} with which run? Its epoch curves are drawn dashed.`, matchOnDetail: true },
    );
    if (!picked) return;
    try {
      this.post({ type: 'comparison', run: comparisonRun(openRun(picked.runDir)) });
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot compare with ${picked.runDir}: ${(err as Error).message}`);
    }
  }
}

function roots(extensionUri: vscode.Uri, datasetFolder: string): vscode.Uri[] {
  return [...extensionResourceRoots(extensionUri), vscode.Uri.file(datasetFolder)];
}

function shortName(runDir: string): string {
  return runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir;
}
