// The "Train on Folder" form: one quick pick that shows the dataset summary and every choice
// with its value. Enter on "Start training" starts; Enter on a choice edits it (a second quick
// pick or an input box) and comes back. With the paper's values filled in, one Enter is enough.
// The probe image (watched from the first epoch) is chosen here too, or later in the training view.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { IMAGE_EXTENSIONS } from '../../protocol/imageFiles';
import { VARIANTS, type VariantName } from '../../protocol/engine/model';
import type { DatasetSummary } from '../../protocol/engine/train';
import { PRESET_NAMES, PRESETS } from '../../engine/train/presets';
import {
  FIELDS, MODES, augmentLabel, cannotStart, withMode, modeLabel, presetChoices, presetLabel, parseField, summary, type NumericField, type TrainChoices,
} from './trainChoices';

export interface StartingWeights {
  /** the classifier's current weights file, if any */
  path?: string;
  /** "torchvision pretrained", a file name, or why there are none */
  label: string;
}

export interface FormContext {
  folder: string;
  summary: DatasetSummary;
  /** scans again with another validation fraction (the split changes) */
  rescan(valFraction: number): Promise<DatasetSummary>;
  /** the weights the classifier would use for a variant */
  weightsFor(variant: VariantName): Promise<StartingWeights>;
}

type Action =
  | { kind: 'start' }
  | { kind: 'field'; field: NumericField }
  | { kind: 'preset' }
  | { kind: 'mode' }
  | { kind: 'variant' }
  | { kind: 'weights' }
  | { kind: 'augment' }
  | { kind: 'probe' }
  | { kind: 'reset' }
  | { kind: 'skipped' }
  | { kind: 'info' };

interface Item extends vscode.QuickPickItem {
  action?: Action;
}

const FIELD_ORDER: NumericField[] = ['epochs', 'batchSize', 'lr', 'momentum', 'weightDecay', 'patience', 'earlyStop', 'valFraction'];

export interface FormResult {
  choices: TrainChoices;
  weights: StartingWeights;
  summary: DatasetSummary;
  /** absolute path: the image whose top-5 and Grad-CAM the run records after every epoch */
  probeImage?: string;
}

export async function showTrainForm(initial: TrainChoices, ctx: FormContext): Promise<FormResult | undefined> {
  let choices = { ...initial, augment: { ...initial.augment } };
  let dataset = ctx.summary;
  let weights = await ctx.weightsFor(choices.variant);
  let probeImage: string | undefined;
  let activeKey = 'start';
  for (;;) {
    const picked = await pickOnce(buildItems(choices, dataset, weights, probeImage), title(ctx.folder, dataset), activeKey);
    if (!picked?.action) return undefined;
    const action = picked.action;
    activeKey = keyOf(action);
    switch (action.kind) {
      case 'start':
        if (!dataset.trainable) {
          void vscode.window.showErrorMessage(`Cannot train on this folder: ${dataset.warnings.join(' ')}`);
          continue;
        }
        {
          const why = cannotStart(choices, !!weights.path);
          if (why) {
            void vscode.window.showErrorMessage(why);
            continue;
          }
        }
        return { choices, weights, summary: dataset, ...(probeImage ? { probeImage } : {}) };
      case 'info':
        continue;
      case 'skipped':
        await showSkipped(dataset);
        continue;
      case 'reset': {
        choices = presetChoices(choices.preset, { variant: choices.variant, hasWeights: !!weights.path, valFraction: choices.valFraction, trainCount: dataset.trainCount });
        continue;
      }
      case 'preset': {
        const p = await vscode.window.showQuickPick(
          PRESET_NAMES.map((name) => ({
            label: PRESETS[name].label, detail: PRESETS[name].description, name,
            description: name === choices.preset ? '(current)' : name === 'linear-probe' && !weights.path ? '(needs pretrained weights)' : undefined,
          })),
          { title: 'Recipe', placeHolder: 'A recipe sets every value below; change any of them afterwards' },
        );
        if (p) choices = presetChoices(p.name, { variant: choices.variant, hasWeights: !!weights.path, valFraction: choices.valFraction, trainCount: dataset.trainCount });
        continue;
      }
      case 'mode': {
        const mode = await vscode.window.showQuickPick(
          MODES.map((m) => ({ label: m.label, detail: m.detail, picked: m.mode === choices.mode, mode: m.mode, description: m.mode === choices.mode ? '(current)' : undefined })),
          { title: 'Training mode', placeHolder: 'Which layers learn?' },
        );
        if (mode) choices = withMode(choices, mode.mode);
        continue;
      }
      case 'variant': {
        const v = await vscode.window.showQuickPick(
          VARIANTS.map((name) => ({ label: name, description: name === choices.variant ? '(current)' : undefined })),
          { title: 'AlexNet variant', placeHolder: 'Architecture to train' },
        );
        if (v) {
          choices.variant = v.label as VariantName;
          weights = await ctx.weightsFor(choices.variant);
          if (!weights.path) choices.weights = 'random';
        }
        continue;
      }
      case 'weights': {
        const items: (vscode.QuickPickItem & { value: 'current' | 'random' })[] = [
          ...(weights.path ? [{ label: `The classifier's weights`, description: weights.label, value: 'current' as const }] : []),
          { label: 'Random', description: "the paper's initialisation", value: 'random' },
        ];
        const w = await vscode.window.showQuickPick(items, { title: 'Starting weights', placeHolder: weights.path ? undefined : `No weights for ${choices.variant}: ${weights.label}` });
        if (w) choices.weights = w.value;
        continue;
      }
      case 'augment': {
        const opts = [
          { label: 'Random crops', key: 'crop' as const, picked: choices.augment.crop },
          { label: 'Horizontal flips', key: 'flip' as const, picked: choices.augment.flip },
          { label: 'PCA colour', key: 'pca' as const, picked: choices.augment.pca, description: "the paper's lighting noise (not in frozen or probe mode, whose features are cached)" },
        ];
        const on = await vscode.window.showQuickPick(opts, { title: 'Augmentation', canPickMany: true });
        if (on) choices.augment = { crop: on.some((o) => o.key === 'crop'), flip: on.some((o) => o.key === 'flip'), pca: on.some((o) => o.key === 'pca') };
        continue;
      }
      case 'probe':
        probeImage = await askProbeImage(ctx.folder, probeImage);
        continue;
      case 'field': {
        const value = await askNumber(action.field, choices[action.field]);
        if (value === undefined) continue;
        choices[action.field] = value;
        if (action.field === 'lr') choices.lrFind = false; // a typed lr replaces the finder's
        if (action.field === 'valFraction') dataset = await ctx.rescan(value);
        continue;
      }
    }
  }
}

function keyOf(a: Action): string {
  return a.kind === 'field' ? `field:${a.field}` : a.kind;
}

function title(folder: string, s: DatasetSummary): string {
  const name = folder.split(/[\\/]/).filter(Boolean).pop() ?? folder;
  return `Train AlexNet on ${name}/: ${s.classes.length} classes, ${s.trainCount} training / ${s.valCount} validation images`;
}

function buildItems(c: TrainChoices, s: DatasetSummary, weights: StartingWeights, probeImage: string | undefined): Item[] {
  const startWeights = c.mode === 'scratch' ? `${c.init ?? 'paper'} init` : c.weights === 'current' && weights.path ? weights.label : 'random weights';
  const items: Item[] = [
    {
      label: s.trainable ? '$(play) Start training' : '$(error) Cannot train on this folder',
      description: summary(c, startWeights),
      detail: s.trainable ? undefined : s.warnings.join(' '),
      action: { kind: 'start' },
    },
    { label: 'Settings', kind: vscode.QuickPickItemKind.Separator },
    { label: 'Recipe', description: presetLabel(c.preset), detail: PRESETS[c.preset].description, action: { kind: 'preset' } },
    { label: 'Mode', description: modeLabel(c.mode), detail: MODES.find((m) => m.mode === c.mode)?.detail, action: { kind: 'mode' } },
    { label: 'Variant', description: c.variant, action: { kind: 'variant' } },
  ];
  if (c.mode !== 'scratch') {
    const none = !weights.path;
    items.push({
      label: 'Starting weights',
      description: c.weights === 'current' && weights.path ? weights.label : 'random (untrained)',
      detail: none
        ? c.mode === 'probe'
          ? `No pretrained weights for ${c.variant} (${weights.label}): the linear probe needs them. Download them with "AlexNet: Download Pretrained Weights" or load a file.`
          : `No pretrained weights for ${c.variant} (${weights.label}): the conv layers start random. Download them with "AlexNet: Download Pretrained Weights" for a useful frozen or fine-tuned model.`
        : undefined,
      action: { kind: 'weights' },
    });
  }
  for (const f of FIELD_ORDER) {
    const spec = FIELDS[f];
    const detail = f === 'valFraction' && s.layout === 'split-folders' ? 'not used: the folder has its own val/ subfolder' : spec.detail;
    const value = f === 'lr' && c.lrFind ? 'found by the learning-rate finder before training' : spec.format(c[f]);
    const note = f === 'batchSize' && c.batchSize > s.trainCount ? ` (larger than the ${s.trainCount} training images: one step per epoch)` : '';
    items.push({ label: spec.label, description: value + note, detail, action: { kind: 'field', field: f } });
  }
  items.push(
    { label: 'Augmentation', description: augmentLabel(c.augment, c.mode), action: { kind: 'augment' } },
    {
      label: 'Probe image',
      description: probeImage ? basename(probeImage) : 'none',
      detail: probeImage ? probeImage : 'An image whose top-5 and Grad-CAM the training view shows after every epoch (it can be chosen there later too)',
      action: { kind: 'probe' },
    },
    { label: `$(discard) Reset to the values of ${presetLabel(c.preset)}`, action: { kind: 'reset' } },
    { label: `Dataset (${s.layout === 'split-folders' ? 'train/ and val/ folders' : 'one folder per class'})`, kind: vscode.QuickPickItemKind.Separator },
  );
  for (const cls of s.classes) {
    const total = cls.train + cls.val;
    items.push({
      label: `$(${total < 2 ? 'warning' : 'folder'}) ${cls.name}`,
      description: `${cls.train} training · ${cls.val} validation`,
      action: { kind: 'info' },
    });
  }
  for (const small of s.smallClasses) {
    if (s.classes.some((c) => c.name === small.name)) continue; // already listed with its counts
    items.push({ label: `$(warning) ${small.name}`, description: `${small.images} image${small.images === 1 ? '' : 's'}: cannot be learnt`, action: { kind: 'info' } });
  }
  if (s.skipped.length) {
    items.push({ label: `$(warning) ${s.skipped.length} file${s.skipped.length === 1 ? '' : 's'} skipped`, description: 'not images or unreadable: Enter lists them', action: { kind: 'skipped' } });
  }
  for (const w of s.warnings) items.push({ label: '$(info) Note', description: w, action: { kind: 'info' } });
  return items;
}

function pickOnce(items: Item[], title: string, activeKey: string): Promise<Item | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = title;
  qp.placeholder = 'Enter starts with these values; pick a line to change it';
  qp.items = items;
  qp.matchOnDescription = false;
  qp.ignoreFocusOut = true;
  const active = items.find((i) => i.action && keyOf(i.action) === activeKey);
  if (active) qp.activeItems = [active];
  return new Promise((resolve) => {
    let done = false;
    const finish = (item: Item | undefined) => {
      if (done) return;
      done = true;
      resolve(item);
      qp.dispose();
    };
    qp.onDidAccept(() => finish(qp.selectedItems[0] ?? qp.activeItems[0]));
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** A file dialog from the dataset folder; with an image chosen already, a pick offers to change or clear it. */
async function askProbeImage(folder: string, current: string | undefined): Promise<string | undefined> {
  if (current) {
    const pick = await vscode.window.showQuickPick(
      [{ label: 'Choose another image…', value: 'choose' as const }, { label: 'No probe image', value: 'none' as const }],
      { title: `Probe image: ${basename(current)}` },
    );
    if (!pick) return current;
    if (pick.value === 'none') return undefined;
  }
  const uris = await vscode.window.showOpenDialog({
    title: 'Probe image: its top-5 and Grad-CAM after every epoch',
    defaultUri: vscode.Uri.file(current ?? folder),
    canSelectMany: false,
    filters: { Images: [...IMAGE_EXTENSIONS] },
    openLabel: 'Watch This Image',
  });
  return uris?.[0]?.fsPath ?? current;
}

async function askNumber(field: NumericField, current: number): Promise<number | undefined> {
  const spec = FIELDS[field];
  const text = await vscode.window.showInputBox({
    title: spec.label,
    prompt: spec.detail,
    value: field === 'valFraction' ? `${+(current * 100).toFixed(2)}%` : String(current),
    ignoreFocusOut: true,
    validateInput: (t) => {
      const r = parseField(field, t);
      return 'error' in r ? r.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const r = parseField(field, text);
  return 'value' in r ? r.value : undefined;
}

async function showSkipped(s: DatasetSummary): Promise<void> {
  const lines = [`# Files skipped in ${s.folder}`, '', ...s.skipped.map((f) => `- \`${f.path}\`: ${f.reason} (${f.code})`), ''];
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
