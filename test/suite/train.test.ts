// In-host tests of the training commands: registration, a real (channel-reduced, fast) training
// run through the engine on a generated folder, reopening it, and making its model the classifier's.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { AlexNetApi } from '../../src/extension/extension';
import type { ClassifyItem, ModelStatus } from '../../src/protocol/engine';
import type { MetricsRecord, TrainResult } from '../../src/protocol/engine/train';

const root = resolve(__dirname, '../../..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionId = `${packageJson.publisher}.${packageJson.name}`;
const TRAIN_COMMANDS = ['alexnet.trainOnFolder', 'alexnet.resumeTraining', 'alexnet.openTrainingRun', 'alexnet.useTrainedModel'];
const COLOURS: Record<string, [number, number, number]> = { blue: [40, 60, 200], green: [30, 160, 70], red: [210, 40, 40] };

async function makeDataset(dir: string, perClass: number): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sharp = require('sharp') as typeof import('sharp');
  for (const [name, [r, g, b]] of Object.entries(COLOURS)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const d = (i * 7) % 30;
      await sharp({ create: { width: 40 + i, height: 40, channels: 3, background: { r: r + d, g: g + d, b: b + d } } }).png().toFile(join(dir, name, `${i}.png`));
    }
  }
}

function trainingTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('alexnet.training'));
}

describe('Training commands in the extension host', () => {
  let work: string;
  let dataset: string;
  let runsRoot: string;
  let result: TrainResult | undefined;
  const settings = () => vscode.workspace.getConfiguration('alexnet');
  const saved: Record<string, unknown> = {};

  before(async () => {
    const ext = vscode.extensions.getExtension<AlexNetApi>(extensionId);
    assert.ok(ext);
    await ext.activate();
    for (const key of ['variant', 'weights.path']) saved[key] = settings().inspect(key)?.globalValue;
    work = mkdtempSync(join(tmpdir(), 'alexnet-train-suite-'));
    dataset = join(work, 'colours');
    runsRoot = join(work, 'runs');
    await makeDataset(dataset, 5);
  });
  after(async () => {
    for (const [key, value] of Object.entries(saved)) await settings().update(key, value, vscode.ConfigurationTarget.Global);
    rmSync(work, { recursive: true, force: true });
  });

  it('registers the training commands and contributes them', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = new Set((packageJson.contributes.commands as { command: string }[]).map((c) => c.command));
    for (const id of TRAIN_COMMANDS) {
      assert.ok(registered.has(id), `${id} is not registered`);
      assert.ok(contributed.has(id), `${id} is not in package.json`);
    }
  });

  it('trains through the engine: metrics.jsonl, best.safetensors and the live view', async function () {
    this.timeout(300_000);
    result = await vscode.commands.executeCommand<TrainResult | undefined>('alexnet.trainOnFolder', vscode.Uri.file(dataset), {
      prompt: false,
      runsRoot,
      config: {
        variant: 'torchvision', mode: 'scratch', epochs: 2, batchSize: 4, lr: 0.01, seed: 3,
        convChannels: [8, 16, 16, 16, 16], fcUnits: [32, 32], augment: { crop: false, flip: false, pca: false },
      },
    });
    assert.ok(result, 'the command returned no result');
    assert.equal(result.cancelled, false);
    assert.equal(result.epochs, 2);
    assert.ok(result.runDir.startsWith(runsRoot), `${result.runDir} is not under ${runsRoot}`);
    const lines = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord);
    const epochs = lines.filter((r) => r.type === 'epoch');
    const steps = lines.filter((r) => r.type === 'step');
    assert.equal(epochs.length, 2);
    const config = JSON.parse(readFileSync(join(result.runDir, 'config.json'), 'utf8'));
    assert.equal(steps.length, 2 * config.stepsPerEpoch);
    assert.deepEqual(config.classNames, ['blue', 'green', 'red']);
    for (const e of epochs) {
      if (e.type !== 'epoch') continue;
      assert.equal(e.confusion.flat().reduce((a, b) => a + b, 0), config.valCount);
    }
    assert.ok(existsSync(join(result.runDir, 'best.safetensors')), 'best.safetensors missing');
    assert.equal(result.bestPath, join(result.runDir, 'best.safetensors'));
    assert.ok(trainingTabs().length >= 1, 'no training view was opened');
  });

  it('reopens the run from its metrics log', async () => {
    assert.ok(result);
    const opened = await vscode.commands.executeCommand<{ runDir: string; steps: number; epochs: number } | undefined>('alexnet.openTrainingRun', result.runDir);
    assert.ok(opened);
    assert.equal(opened.epochs, 2);
    assert.ok(opened.steps > 0);
  });

  it('resumes a run to more epochs: the metrics log continues where it stopped', async function () {
    this.timeout(120_000);
    assert.ok(result);
    const resumed = await vscode.commands.executeCommand<TrainResult | undefined>('alexnet.resumeTraining', { runDir: result.runDir, epochs: 3 });
    assert.ok(resumed, 'resume returned no result');
    assert.equal(resumed.runDir, result.runDir);
    assert.equal(resumed.epochs, 3);
    const lines = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord);
    assert.deepEqual(lines.filter((r) => r.type === 'epoch').map((r) => r.epoch), [1, 2, 3]);
    const globalSteps = lines.filter((r) => r.type === 'step').map((r) => r.globalStep);
    assert.deepEqual(globalSteps, globalSteps.map((_, i) => i + 1), 'steps are numbered on without gaps or repeats');
  });

  it("makes the run's model the classifier's: it answers with the folder's classes", async function () {
    this.timeout(400_000);
    // The classifier loads only the real widths: a full-size run, frozen (conv features computed
    // once, as augmentation is off), one epoch.
    const t0 = Date.now();
    const full = await vscode.commands.executeCommand<TrainResult | undefined>('alexnet.trainOnFolder', vscode.Uri.file(dataset), {
      prompt: false,
      runsRoot,
      config: { variant: 'torchvision', mode: 'frozen', epochs: 1, batchSize: 8, seed: 5, augment: { crop: false, flip: false, pca: false } },
    });
    console.log(`      full-size frozen epoch: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(full?.bestPath, 'the full-size run wrote no best.safetensors');
    const model = await vscode.commands.executeCommand<ModelStatus | undefined>('alexnet.useTrainedModel', full.runDir);
    assert.ok(model, 'no model loaded');
    assert.equal(model.numClasses, 3);
    assert.deepEqual(model.classNames, ['blue', 'green', 'red']);
    assert.equal(settings().get('weights.path'), full.bestPath);
    assert.equal(settings().get('variant'), 'torchvision');
    const items = await vscode.commands.executeCommand<ClassifyItem[] | undefined>('alexnet.classifyImage', vscode.Uri.file(join(dataset, 'red', '0.png')));
    assert.ok(items?.[0]?.ok, `classification failed: ${JSON.stringify(items?.[0])}`);
    const labels = items[0].ok ? items[0].predictions.map((p) => p.label) : [];
    assert.ok(labels.length > 0 && labels.every((l) => ['blue', 'green', 'red'].includes(l)), `labels ${labels.join(', ')} are not the folder's classes`);
  });
});
