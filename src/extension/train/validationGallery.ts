// The host side of the training view's gallery and Top losses: sends an epoch's per-image validation
// results (val-<epoch>.json), and performs the only changes the extension makes to a dataset, each
// on the user's explicit request: Move to Class… and Exclude (datasetEdits.ts), each with Undo in its
// notification and in the gallery. It acts only on images the run validated, and not while the run
// trains in this window (the trainer reads those files).
import * as vscode from 'vscode';
import { basename, relative } from 'node:path';
import type { RunConfigFile } from '../../protocol/engine/train';
import type { HostToWebview, ImageEdit } from '../../protocol/webview/training';
import { readValidationRecord, validationEpochs } from '../../engine/train/valRecord';
import { DatasetEditLog, placeOf, type DatasetEdit } from './datasetEdits';
import { galleryImages, noRecordMessage, type ToWebviewSrc } from './runView';

export interface GalleryHost {
  runDir(): string;
  config(): RunConfigFile;
  /** true while this window trains the run */
  training(): boolean;
  toSrc: ToWebviewSrc;
  post(message: HostToWebview): void;
}

export class ValidationGallery {
  /** kept in the run folder: a reloaded window offers the same Undo */
  private readonly edits: DatasetEditLog;
  /** the images sent to the page: the only paths it may act on */
  private readonly known = new Set<string>();

  constructor(private readonly host: GalleryHost) {
    this.edits = new DatasetEditLog({ runDir: host.runDir(), folder: host.config().folder });
  }

  answer(epoch: number): void {
    const runDir = this.host.runDir();
    try {
      const record = readValidationRecord(runDir, epoch);
      if (!record) {
        this.host.post({ type: 'validation', epoch, unavailable: noRecordMessage(epoch, validationEpochs(runDir)) });
        return;
      }
      const images = galleryImages(record, this.host.toSrc, (p) => this.editView(this.edits.get(p)));
      for (const img of images) this.known.add(img.path);
      this.host.post({ type: 'validation', epoch, images });
    } catch (e) {
      this.host.post({ type: 'validation', epoch, unavailable: `The validation results of epoch ${epoch} cannot be read: ${(e as Error).message}` });
    }
  }

  async move(path: string): Promise<void> {
    if (!this.mayEdit(path, 'Move to Class')) return;
    const config = this.host.config();
    let current: string | undefined;
    try {
      current = placeOf(config.folder, config.layout, path).className;
    } catch {
      // not in a class folder any more: every class is offered
    }
    const name = basename(path);
    const choice = await vscode.window.showQuickPick(
      config.classNames.filter((c) => c !== current).map((c) => ({ label: c })),
      { title: `Move ${name} to class…`, placeHolder: `${current ? `In ${current} now. ` : ''}The file moves into that class folder of ${basename(config.folder)}/ (Undo puts it back)` },
    );
    if (!choice) return;
    await this.perform(path, () => this.edits.move(config, path, choice.label), 'Move to Class', (e) =>
      `Moved ${name} to ${choice.label}${basename(e.to) === name ? '' : ` as ${basename(e.to)} (the name was taken)`}. Train again to learn from the change.`);
  }

  async exclude(path: string): Promise<void> {
    if (!this.mayEdit(path, 'Exclude')) return;
    const config = this.host.config();
    await this.perform(path, () => this.edits.exclude(config, path), 'Exclude', (e) =>
      `Excluded ${basename(path)}: moved to ${relative(config.folder, e.to)}, which training skips. Train again without it.`);
  }

  async undo(path: string): Promise<void> {
    try {
      const edit = await this.edits.undo(path);
      this.host.post({ type: 'imageEdit', path, edit: null });
      void vscode.window.showInformationMessage(`Put ${basename(edit.from)} back in ${relative(this.host.config().folder, edit.from)}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Undo: ${(e as Error).message}`);
    }
  }

  private async perform(path: string, act: () => Promise<DatasetEdit>, what: string, done: (e: DatasetEdit) => string): Promise<void> {
    let edit: DatasetEdit;
    try {
      edit = await act();
    } catch (e) {
      void vscode.window.showErrorMessage(`${what}: ${(e as Error).message}`);
      return;
    }
    this.host.post({ type: 'imageEdit', path, edit: this.editView(edit)! });
    const answer = await vscode.window.showInformationMessage(done(edit), 'Undo');
    // the gallery's Undo may have come first
    if (answer === 'Undo' && this.edits.get(path) === edit) await this.undo(path);
  }

  private mayEdit(path: string, what: string): boolean {
    if (!this.known.has(path)) {
      void vscode.window.showErrorMessage(`${what}: ${path} is not a validation image of this run`);
      return false;
    }
    if (this.host.training()) {
      void vscode.window.showWarningMessage(`${what}: the run is training and reads these files; wait until it stops (or cancel it).`);
      return false;
    }
    return true;
  }

  private editView(e: DatasetEdit | undefined): ImageEdit | undefined {
    if (!e) return undefined;
    return { kind: e.kind, to: e.to, src: this.host.toSrc(e.to), ...(e.className ? { className: e.className } : {}) };
  }
}
