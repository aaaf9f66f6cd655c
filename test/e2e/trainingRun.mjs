// A finished training run folder written here (no training): the training view's scenarios open it
// with AlexNet: Open Training Run and look at its curves, confusion matrix and tables in seconds.
// Three classes of drawn squares (the example images), two epochs of 3 steps; epoch 2 is the best.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawImage } from './fixtures.mjs';

export const RUN_CLASSES = ['blue', 'green', 'red'];
export const RUN_NAME = '2026-01-02_03-04-05';
const COLOURS = { blue: '#3b6fd8', green: '#3f9b4a', red: '#d8453b' };

/** Writes <workspace>/shapes/<class>/<n>.png and <workspace>/.alexnet/runs/RUN_NAME/; returns { runDir, confusion, valCount }. */
export async function writeFinishedRun(workspace) {
  const folder = join(workspace, 'shapes');
  const images = {};
  for (const c of RUN_CLASSES) {
    mkdirSync(join(folder, c), { recursive: true });
    images[c] = [];
    for (let i = 0; i < 3; i++) {
      const path = join(folder, c, `${String(i).padStart(2, '0')}.png`);
      await drawImage(path, { width: 64, height: 64, background: '#c8c8c8', shapes: [`<rect x="${12 + 4 * i}" y="16" width="30" height="30" fill="${COLOURS[c]}"/>`] });
      images[c].push(path);
    }
  }
  const runDir = join(workspace, '.alexnet', 'runs', RUN_NAME);
  mkdirSync(runDir, { recursive: true });
  const stepsPerEpoch = 3;
  const config = {
    variant: 'torchvision', mode: 'frozen', epochs: 2, batchSize: 4, lr: 0.01, momentum: 0.9, weightDecay: 0.0005,
    patience: 2, earlyStop: 0, valFraction: 0.2, seed: 1, augment: { crop: true, flip: true, pca: false }, preset: 'small-data',
  };
  writeFileSync(join(runDir, 'config.json'), JSON.stringify({
    version: 1, folder, config, classNames: RUN_CLASSES, trainCount: 12, valCount: 6, stepsPerEpoch, layout: 'class-folders', createdAt: new Date().toISOString(),
  }, null, 2));
  const lines = [];
  let globalStep = 0;
  const t0 = Date.now() - 60_000;
  // epoch 1 mixes blue and green up; epoch 2 gets all but one right
  const matrices = [[[1, 1, 0], [1, 1, 0], [0, 0, 2]], [[2, 0, 0], [1, 1, 0], [0, 0, 2]]];
  matrices.forEach((confusion, e) => {
    for (let step = 1; step <= stepsPerEpoch; step++) {
      globalStep++;
      lines.push({ type: 'step', epoch: e + 1, step, stepsPerEpoch, globalStep, loss: 1.2 - 0.15 * globalStep, acc: 0.3 + 0.08 * globalStep, lr: 0.01, batchSize: 4, imagesPerSec: 20, waitMs: 5, computeMs: 190, time: t0 + globalStep * 1000 });
    }
    const examples = [];
    confusion.forEach((row, a) => row.forEach((count, p) => {
      if (count) examples.push({ actual: a, predicted: p, paths: images[RUN_CLASSES[a]].slice(0, count) });
    }));
    const colTotals = RUN_CLASSES.map((_, p) => confusion.reduce((s, row) => s + row[p], 0));
    const correct = confusion.reduce((s, row, i) => s + row[i], 0);
    lines.push({
      type: 'epoch', epoch: e + 1, globalStep, trainLoss: 1 - 0.3 * e, trainAcc: 0.5 + 0.2 * e, valLoss: 0.9 - 0.3 * e, valAcc: correct / 6, lr: 0.01, nextLr: 0.01,
      confusion, precision: colTotals.map((t, p) => (t ? confusion[p][p] / t : null)), recall: confusion.map((row, a) => row[a] / row.reduce((s, x) => s + x, 0)),
      examples, skipped: [], best: true, trainImages: 12, valImages: 6, seconds: 3, time: t0 + globalStep * 1000 + 500,
    });
  });
  writeFileSync(join(runDir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return { runDir, confusion: matrices[1], valCount: 6 };
}

/** F1 > AlexNet: Open Training Run > the only run, by keyboard; resolves when the palette is closed. */
export async function openRunByKeyboard(page, { timeoutMs = 90_000 } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill('>AlexNet: Open Training Run');
    const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Training Run' }).first();
    if (await entry.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) break;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error('AlexNet: Open Training Run never appeared in the palette');
    await new Promise((r) => setTimeout(r, 1000));
  }
  await page.keyboard.press('Enter');
  const run = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: RUN_NAME }).first();
  await run.waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}
