// What the weights viewer and the palette do with model files: use them, compare two, export a
// weights file or run (Export Model...), export a run as a PyTorch project.
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { EngineHost } from '../engine/engineHost';
import type { ExportFormat, ModelFileComparison } from '../../protocol/engine/modelFiles';
import type { VariantName } from '../../protocol/engine/model';
import * as config from '../settings/configuration';

/** Makes these weights the active model (switching the variant to the file's own), and loads them. */
export async function useWeights(engine: EngineHost, uri: vscode.Uri, variant: VariantName): Promise<boolean> {
  if (config.variant() !== variant) await config.update('variant', variant);
  await vscode.commands.executeCommand('alexnet.loadWeightsFromFile', uri);
  try {
    const model = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `AlexNet: loading ${basename(uri.fsPath)}` },
      () => engine.ensureModel({ variant, weights: { kind: 'file', path: uri.fsPath } }),
    );
    void vscode.window.showInformationMessage(`AlexNet (${model.variant}) now answers with ${basename(uri.fsPath)} (${model.numClasses} classes).`);
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot use ${basename(uri.fsPath)}: ${(err as Error).message}`);
    return false;
  }
}

const WEIGHT_FILTERS = { 'Weights and models': ['pth', 'pt', 'safetensors', 'npy', 'onnx'] };

export async function compareWith(
  engine: EngineHost,
  uri: vscode.Uri,
  progress: (done: number, total: number | undefined, message: string | undefined) => void,
  other?: vscode.Uri,
): Promise<{ comparison: ModelFileComparison; otherName: string } | undefined> {
  const picked = other ?? (await vscode.window.showOpenDialog({ title: `Compare ${basename(uri.fsPath)} with…`, canSelectMany: false, filters: WEIGHT_FILTERS, defaultUri: vscode.Uri.file(dirname(uri.fsPath)) }))?.[0];
  if (!picked) return undefined;
  const comparison = await engine.request('compareModelFiles', { a: uri.fsPath, b: picked.fsPath }, {
    onEvent: (e) => {
      progress(e.done, e.total, e.message);
    },
  });
  return { comparison, otherName: basename(picked.fsPath) };
}

const FORMATS: { label: string; description: string; format: ExportFormat; ext: string }[] = [
  { label: 'ONNX', description: 'opset 17, dynamic batch, class names and preprocessing in its metadata', format: 'onnx', ext: 'onnx' },
  { label: 'PyTorch state_dict (.pth)', description: "torchvision's keys (notebook keys for paper/caffe); torch.load(weights_only=True)", format: 'pth', ext: 'pth' },
  { label: 'safetensors', description: "this extension's format, with metadata", format: 'safetensors', ext: 'safetensors' },
];

function isRunDir(p: string): boolean {
  return existsSync(join(p, 'config.json'));
}

/** Export Model...: a weights file or a training run folder (its best.safetensors) to ONNX / .pth / safetensors. */
export async function exportModelCommand(engine: EngineHost, arg?: unknown): Promise<string | undefined> {
  let source = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : undefined;
  if (!source) {
    const picked = await vscode.window.showOpenDialog({ title: 'Export which weights file or training run folder?', canSelectFiles: true, canSelectFolders: true, canSelectMany: false, filters: WEIGHT_FILTERS });
    source = picked?.[0]?.fsPath;
  }
  if (!source) return undefined;
  if (statSync(source).isDirectory() && !isRunDir(source)) {
    void vscode.window.showErrorMessage(`${basename(source)} is not a training run folder (no config.json).`);
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(FORMATS, { title: `Export ${basename(source)} as` });
  if (!choice) return undefined;
  const stem = isRunDir(source) ? `${basename(source)}-best` : basename(source, extname(source));
  const target = await vscode.window.showSaveDialog({
    title: `Export as ${choice.label}`,
    defaultUri: vscode.Uri.file(join(isRunDir(source) ? source : dirname(source), `${stem}${choice.ext === extname(source).slice(1) ? '-export' : ''}.${choice.ext}`)),
    filters: { [choice.label]: [choice.ext] },
  });
  if (!target) return undefined;
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AlexNet: exporting ${basename(source)} as ${choice.label}` }, () =>
      engine.request('exportModel', { source, format: choice.format, out: target.fsPath }));
    const open = await vscode.window.showInformationMessage(`Wrote ${basename(r.out)} (AlexNet ${r.variant}, ${r.numClasses} classes, ${(r.bytes / 1e6).toFixed(1)} MB).`, 'Open', 'Reveal in Explorer');
    if (open === 'Open') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(r.out));
    if (open === 'Reveal in Explorer') await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(r.out));
    return r.out;
  } catch (err) {
    void vscode.window.showErrorMessage(`Export failed: ${(err as Error).message}`);
    return undefined;
  }
}

/** Export Run as PyTorch Project: train.py for torchrun, start.pth, README next to the run (or where asked). */
export async function exportProjectCommand(engine: EngineHost, pickRun: () => Promise<string | undefined>, arg?: unknown, outArg?: string): Promise<string | undefined> {
  const runDir = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : await pickRun();
  if (!runDir) return undefined;
  if (!isRunDir(runDir)) {
    void vscode.window.showErrorMessage(`${basename(runDir)} is not a training run folder (no config.json).`);
    return undefined;
  }
  let out = outArg;
  if (!out) {
    const parent = await vscode.window.showOpenDialog({ title: 'Folder to write the PyTorch project in', canSelectFiles: false, canSelectFolders: true, openLabel: 'Export Here', defaultUri: vscode.Uri.file(dirname(runDir)) });
    if (!parent?.[0]) return undefined;
    out = join(parent[0].fsPath, `${basename(runDir)}-pytorch`);
  }
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AlexNet: exporting ${basename(runDir)} as a PyTorch project` }, () =>
      engine.request('exportPytorchProject', { runDir, out: out! }));
    const pick = await vscode.window.showInformationMessage(
      `Wrote ${basename(r.out)} (${r.files.join(', ')}): run it with torchrun --nproc_per_node=N train.py${r.noStartWeights ? `; no start.pth: ${r.noStartWeights}` : ''}.`,
      'Open README',
    );
    if (pick) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(join(r.out, 'README.md')));
    return r.out;
  } catch (err) {
    void vscode.window.showErrorMessage(`Export failed: ${(err as Error).message}`);
    return undefined;
  }
}
