// Host side of the weights: where managed downloads live (global storage), which weights a
// variant loads (see weightsChoice.ts), the "no weights yet" notification, and the download
// with a cancellable progress notification. The download itself is download.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { VariantName } from '../../protocol/engine/model';
import type { WeightsSource } from '../../protocol/engine';
import * as config from '../settings/configuration';
import { DownloadError, ensureWeights, findVerifiedCopy, isCancellation, manualInstructions } from './download';
import { formatBytes } from './downloadErrors';
import { entryForVariant, loadManifest, resolveDownloadUrl, type WeightsEntry, type WeightsManifest } from './manifest';
import { chooseWeights, describeWeights, type WeightsDecision } from './weightsChoice';

// Short button labels: a notification cuts long ones off ("Download (233 ...", "Load from Fil...").
export const DOWNLOAD = 'Download';
export const USE_UNTRAINED = 'Use Untrained';
export const LOAD_FROM_FILE = 'Load File…';
const WEIGHT_FILTERS = { 'Weights': ['pth', 'pt', 'npy', 'safetensors'], 'All files': ['*'] };

interface DownloadFailure {
  text: string;
  offline: boolean;
  url: string;
}

/** The message for a failed download: the error, and what to fetch by hand unless the downloader said so already. */
function describeDownloadFailure(err: unknown, entry: WeightsEntry, url: string, storageDir: string): DownloadFailure {
  const message = err instanceof Error ? err.message : String(err);
  const offline = err instanceof DownloadError && err.kind === 'offline';
  const text = offline || !(err instanceof DownloadError)
    ? message
    : `${message} ${manualInstructions({ url, dest: join(storageDir, entry.fileName), size: entry.size, fileName: entry.fileName })}`;
  return { text, offline, url };
}

/** Thrown when the user dismissed the weights question: the caller stops quietly. */
export class NoWeightsChosen extends Error {
  constructor() {
    super('No weights chosen');
  }
}

export class WeightsManager implements vscode.Disposable {
  readonly storageDir: string;
  private manifestCache?: WeightsManifest;
  private readonly session = new Map<VariantName, WeightsSource>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the weights a variant would use may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(globalStorage: vscode.Uri) {
    this.storageDir = join(globalStorage.fsPath, 'weights');
    // For automated runs: skip the question and use random weights (labelled untrained).
    if (process.env.ALEXNET_EXPLORER_WEIGHTS === 'random') {
      for (const v of ['paper', 'caffe', 'torchvision'] as const) this.session.set(v, { kind: 'random' });
    }
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (config.affects(e, 'weights.path', 'variant')) this.changed.fire();
      }),
    );
  }

  manifest(): WeightsManifest {
    return (this.manifestCache ??= loadManifest());
  }

  entryFor(variant: VariantName): WeightsEntry | undefined {
    return entryForVariant(this.manifest(), variant);
  }

  /** Remembers a choice for this session (until the window reloads). */
  setSessionChoice(variant: VariantName, source: WeightsSource | undefined): void {
    if (source) this.session.set(variant, source);
    else this.session.delete(variant);
    this.changed.fire();
  }

  /** What the variant would load now, without asking or downloading. */
  async decide(variant: VariantName, signal?: AbortSignal): Promise<WeightsDecision> {
    const entry = this.entryFor(variant);
    const managed = entry ? await findVerifiedCopy(entry, this.storageDir, signal) : undefined;
    return chooseWeights({ settingPath: config.weightsPath(), sessionChoice: this.session.get(variant), managedPath: managed?.path });
  }

  /** Cheap guess for the status bar: trusts the verification sidecar without re-hashing. */
  quickDescribe(variant: VariantName): { text: string; untrained: boolean } {
    const entry = this.entryFor(variant);
    const managed = entry && existsSync(join(this.storageDir, `${entry.fileName}.sha256`)) ? join(this.storageDir, entry.fileName) : undefined;
    return describeWeights(chooseWeights({ settingPath: config.weightsPath(), sessionChoice: this.session.get(variant), managedPath: managed }));
  }

  /**
   * The weights to load for `variant`; asks the user when there are none (download, file or
   * untrained). Throws NoWeightsChosen when the question is dismissed.
   */
  async resolve(variant: VariantName): Promise<WeightsSource> {
    const decision = await this.decide(variant);
    if (decision.source) {
      if (decision.source.kind === 'file' && !existsSync(decision.source.path)) {
        const where = decision.origin === 'setting' ? ' (alexnet.weights.path)' : '';
        throw new Error(`The weights file ${decision.source.path}${where} does not exist.`);
      }
      return decision.source;
    }
    return this.ask(variant);
  }

  private async ask(variant: VariantName): Promise<WeightsSource> {
    const entry = this.entryFor(variant);
    const buttons = [...(entry ? [DOWNLOAD] : []), LOAD_FROM_FILE, USE_UNTRAINED];
    const size = entry?.size ? ` (${formatBytes(entry.size)})` : '';
    const choice = await vscode.window.showInformationMessage(
      entry
        ? `AlexNet (${variant}) has no pretrained weights yet: download them${size}, load a file, or use untrained (random) weights?`
        : `AlexNet (${variant}) has no pretrained weights yet: load a file, or use untrained (random) weights?`,
      ...buttons,
    );
    const source = await this.answer(variant, choice);
    if (source) return source;
    throw new NoWeightsChosen();
  }

  /** What a button of the weights questions leads to; after a failed download, the question again in its error. */
  private async answer(variant: VariantName, choice: string | undefined): Promise<WeightsSource | undefined> {
    if (choice === USE_UNTRAINED) {
      const source: WeightsSource = { kind: 'random' };
      this.setSessionChoice(variant, source);
      return source;
    }
    if (choice === LOAD_FROM_FILE) return this.pickFile(variant);
    if (choice === DOWNLOAD || choice === 'Retry') {
      const outcome = await this.tryDownload(variant);
      if ('path' in outcome) return { kind: 'file', path: outcome.path };
      if (!outcome.failure) return undefined; // cancelled or no entry: already said
      // The classification waits on this message: loading a file or going untrained lets it go on.
      const { text, offline } = outcome.failure;
      const next = await vscode.window.showErrorMessage(text, LOAD_FROM_FILE, USE_UNTRAINED, ...(offline ? [] : ['Retry']));
      return this.answer(variant, next);
    }
    return undefined;
  }

  /** Asks for a weights file and uses it for `variant` this session. */
  async pickFile(variant: VariantName): Promise<WeightsSource | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: WEIGHT_FILTERS,
      openLabel: 'Load Weights',
      title: `Weights for AlexNet (${variant})`,
    });
    if (!picked?.[0]) return undefined;
    const source: WeightsSource = { kind: 'file', path: picked[0].fsPath };
    this.setSessionChoice(variant, source);
    return source;
  }

  /**
   * Downloads (or finds) the verified managed copy for `variant`, with a cancellable progress
   * notification. Returns its path, or undefined when cancelled or failed (already reported).
   */
  async download(variant: VariantName): Promise<string | undefined> {
    const outcome = await this.tryDownload(variant);
    if ('path' in outcome) return outcome.path;
    // Not awaited: the command returns while the error (and its buttons) stays on screen.
    if (outcome.failure) void this.reportDownloadError(outcome.failure, variant);
    return undefined;
  }

  /** The download with its progress notification; a failure comes back described, not shown. */
  private async tryDownload(variant: VariantName): Promise<{ path: string } | { failure?: DownloadFailure }> {
    const entry = this.entryFor(variant);
    if (!entry) {
      void vscode.window.showWarningMessage(`There is no known pretrained weights file for the ${variant} variant; use 'Load Weights from File'.`);
      return {};
    }
    let url: string;
    try {
      url = resolveDownloadUrl(entry, config.weightsMirror());
    } catch (err) {
      void vscode.window.showErrorMessage((err as Error).message);
      return {};
    }
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Downloading ${entry.fileName}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          return ensureWeights(entry, this.storageDir, {
            mirror: config.weightsMirror(),
            signal: abort.signal,
            onProgress: (p) => {
              const total = p.total ?? entry.size;
              const pct = total ? (100 * p.received) / total : 0;
              const speed = p.bytesPerSecond > 0 ? ` at ${formatBytes(Math.round(p.bytesPerSecond))}/s` : '';
              progress.report({
                message: `${formatBytes(p.received)}${total ? ` / ${formatBytes(total)}` : ''}${speed}`,
                ...(total && { increment: pct - reported }),
              });
              reported = pct;
            },
          });
        },
      );
      // A fresh download replaces an "untrained" answer given before it.
      for (const v of entry.variants) if (this.session.get(v)?.kind === 'random') this.session.delete(v);
      this.changed.fire();
      void vscode.window.showInformationMessage(
        result.downloaded ? `Downloaded and verified ${entry.fileName}.` : `${entry.fileName} is already downloaded and verified.`,
      );
      return { path: result.path };
    } catch (err) {
      if (isCancellation(err)) {
        void vscode.window.showInformationMessage(`Download of ${entry.fileName} cancelled; the partial file is kept and the next download resumes from it.`);
        return {};
      }
      return { failure: describeDownloadFailure(err, entry, url, this.storageDir) };
    }
  }

  private async reportDownloadError(failure: DownloadFailure, variant: VariantName): Promise<void> {
    const buttons = failure.offline ? [LOAD_FROM_FILE, 'Copy URL'] : ['Retry', LOAD_FROM_FILE];
    const choice = await vscode.window.showErrorMessage(failure.text, ...buttons);
    if (choice === LOAD_FROM_FILE) await this.pickFile(variant);
    else if (choice === 'Copy URL') await vscode.env.clipboard.writeText(failure.url);
    else if (choice === 'Retry') await this.download(variant);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
