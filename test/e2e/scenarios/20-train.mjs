// F1 > "AlexNet: Train on Folder" > the folder of 3 classes of coloured squares (6 each, drawn
// here with sharp) > the form: mode frozen, epochs 2, batch size 4, random starting weights (no
// weights exist here) > Start. The training view must plot more and more steps while it runs,
// and end 'done' with a confusion matrix whose counts sum to the validation set's size.
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { explorerRow, runFromPalette, typeIntoFileDialog, webviewContent } from '../workbench.mjs';
import { waitUntil } from '../waitFor.mjs';

export const title = 'Train on Folder: frozen, 2 epochs, batch 4, live curves and confusion matrix';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLASSES = { red: [215, 48, 39], green: [26, 152, 80], blue: [49, 54, 149] };
const PER_CLASS = 6;

/** <dir>/<colour>/<n>.png: a coloured square on a grey background, jittered per image. */
async function drawSquares(dir) {
  const sharp = (await import('sharp')).default;
  let seed = 11;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (const [name, [r, g, b]] of Object.entries(CLASSES)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < PER_CLASS; i++) {
      const size = 48 + Math.floor(rand() * 32);
      const jitter = () => Math.round((rand() - 0.5) * 40);
      const square = await sharp({ create: { width: size, height: size, channels: 3, background: { r: r + jitter(), g: g + jitter(), b: b + jitter() } } }).png().toBuffer();
      const grey = 150 + Math.floor(rand() * 80);
      await sharp({ create: { width: 128, height: 128, channels: 3, background: { r: grey, g: grey, b: grey } } })
        .composite([{ input: square, left: Math.floor(rand() * (128 - size)), top: Math.floor(rand() * (128 - size)) }])
        .png()
        .toFile(join(dir, name, `${String(i).padStart(2, '0')}.png`));
    }
  }
}

/**
 * The simple folder dialog: type the folder's path with a trailing slash (the dialog lists its
 * subfolders), then press the dialog's OK button ("Train on Folder"); Enter would only open it.
 */
async function answerFolderDialog(page, folder, { okLabel, onTyped, timeoutMs = 20_000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  // typed only once the dialog has settled (it rewrites the box when its first listing lands)
  await typeIntoFileDialog(page, `${folder}/`, { timeoutMs });
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: Object.keys(CLASSES)[0] }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  await onTyped?.();
  await widget.locator('.monaco-button', { hasText: okLabel }).first().click();
}

/**
 * The form is one quick pick; a click on a row picks it (typing first narrows the list).
 * `titleText`: the pick that must be showing first (the one before may still be closing).
 */
async function pickRow(page, label, { titleText, timeoutMs = 30_000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  if (titleText) await widget.locator('.quick-input-title', { hasText: titleText }).waitFor({ state: 'visible', timeout: timeoutMs });
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(label);
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** An input box (same widget, no list): replace its value and accept. */
async function answerInput(page, value, { titleText, timeoutMs = 15_000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  if (titleText) await widget.locator('.quick-input-title', { hasText: titleText }).waitFor({ state: 'visible', timeout: timeoutMs });
  const input = widget.locator('.quick-input-box input');
  await input.fill(String(value));
  // Enter validates the value itself (showInputBox); only make sure the box holds ours
  await waitUntil(async () => (await input.inputValue()) === String(value), { timeoutMs, what: `the input box holding ${value}`, describe: () => input.inputValue() });
  await page.keyboard.press('Enter');
}

async function waitForFormTitle(page, text, timeoutMs = 90_000) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor({ state: 'visible', timeout: timeoutMs });
}

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  const dataset = join(workspace, 'shapes');
  await drawSquares(dataset);
  // E2E_THEME (e.g. "Default Dark Modern", "Default High Contrast") to look at the view in another theme.
  const theme = process.env.E2E_THEME ? { 'workbench.colorTheme': process.env.E2E_THEME } : {};
  const { page } = await ctx.openVSCode({ workspace, settings: { 'alexnet.backend': 'wasm', ...theme } });
  await explorerRow(page, 'shapes');
  await ctx.shot('workbench');

  const t0 = Date.now();
  await runFromPalette(page, 'AlexNet: Train on Folder', { onListed: () => ctx.shot('palette') });
  await answerFolderDialog(page, dataset, { okLabel: 'Train on Folder', onTyped: () => ctx.shot('folder-dialog') });
  ctx.log('folder chosen; waiting for the scan and the form');

  await waitForFormTitle(page, 'Train AlexNet on shapes/');
  await ctx.shot('form');
  const formTitle = await page.locator('.quick-input-widget .quick-input-title').innerText();
  ctx.log(`form: ${formTitle}`);
  if (!/3 classes/.test(formTitle)) throw new Error(`the form title does not report 3 classes: "${formTitle}"`);

  await pickRow(page, 'Mode');
  await pickRow(page, 'Frozen conv layers', { titleText: 'Training mode' });
  await waitForFormTitle(page, 'Train AlexNet on shapes/');
  await pickRow(page, 'Epochs');
  await answerInput(page, 2, { titleText: 'Epochs' });
  await waitForFormTitle(page, 'Train AlexNet on shapes/');
  await pickRow(page, 'Batch size');
  await answerInput(page, 4, { titleText: 'Batch size' });
  await waitForFormTitle(page, 'Train AlexNet on shapes/');
  // The start line sums the choices up: check them before starting.
  const start = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Start training' }).first();
  const startText = await start.innerText({ timeout: 10_000 });
  ctx.log(`start line: ${startText.replace(/\s+/g, ' ')}`);
  for (const want of ['frozen', '2 epochs', 'batch 4', 'random']) {
    if (!startText.includes(want)) throw new Error(`the start line does not say "${want}": ${startText}`);
  }
  await ctx.shot('form-filled');
  await pickRow(page, 'Start training');
  const tStart = Date.now();
  ctx.log('training started');

  // The live view: #status 'training', then more and more step points, then 'done'.
  const view = webviewContent(page);
  const status = view.locator('#status');
  const stepCount = view.locator('#step-count');
  const seenCounts = [];
  let shots = 0;
  let last = '';
  const deadline = Date.now() + 400_000;
  for (;;) {
    last = ((await status.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
    const n = Number(((await stepCount.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim());
    if (Number.isFinite(n) && n > 0 && n !== seenCounts[seenCounts.length - 1]) {
      seenCounts.push(n);
      ctx.log(`#step-count ${n} (${last}) after ${((Date.now() - tStart) / 1000).toFixed(1)} s`);
      if (shots++ < 2 && last === 'training') await ctx.shot(`training-${n}-steps`);
    }
    if (['done', 'error', 'cancelled'].includes(last)) break;
    if (Date.now() > deadline) throw new Error(`training did not finish (status "${last}", step counts ${seenCounts.join(',')})`);
    await sleep(400);
  }
  const trainSeconds = (Date.now() - tStart) / 1000;
  await ctx.shot(`view-${last}`);
  if (last !== 'done') {
    const text = await view.locator('#app').innerText({ timeout: 2000 }).catch(() => '');
    throw new Error(`training view says ${last}: ${text.slice(0, 600)}`);
  }

  // The run folder in the workspace: config.json says how big the validation set is.
  const runsRoot = join(workspace, '.alexnet', 'runs');
  const runs = existsSync(runsRoot) ? readdirSync(runsRoot) : [];
  if (runs.length !== 1) throw new Error(`expected one run under ${runsRoot}, found ${runs.length}`);
  const runDir = join(runsRoot, runs[0]);
  for (const f of ['config.json', 'metrics.jsonl', 'best.safetensors', 'checkpoint.safetensors']) {
    if (!existsSync(join(runDir, f))) throw new Error(`${f} missing in ${runDir}`);
  }
  const runConfig = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
  const expectedSteps = runConfig.stepsPerEpoch * 2;
  if (runConfig.config.mode !== 'frozen' || runConfig.config.epochs !== 2 || runConfig.config.batchSize !== 4 || runConfig.config.weights) {
    throw new Error(`the run's config is not what the form said: ${JSON.stringify(runConfig.config)}`);
  }

  const finalSteps = Number((await stepCount.textContent()).trim());
  const problems = [];
  if (seenCounts.length < 2) problems.push(`#step-count was seen only at ${seenCounts.join(',') || 'nothing'}: the curve did not grow while training`);
  if (seenCounts.some((n, i) => i > 0 && n <= seenCounts[i - 1])) problems.push(`#step-count went down: ${seenCounts.join(',')}`);
  if (finalSteps !== expectedSteps) problems.push(`#step-count ${finalSteps} at the end, expected ${expectedSteps} (2 epochs × ${runConfig.stepsPerEpoch} steps)`);
  for (const id of ['#loss-chart', '#epoch-chart']) {
    const box = await view.locator(`canvas${id}`).boundingBox().catch(() => null);
    if (!box || box.width < 50 || box.height < 50) problems.push(`canvas${id} is missing or tiny`);
  }
  // the charts' text alternative: one row per epoch
  const epochRows = await view.locator('#curves-numbers table.epochs tbody tr').count();
  if (epochRows !== 2) problems.push(`the curves' number table has ${epochRows} rows, expected 2 epochs`);
  const cells = view.locator('#confusion td.cm-cell');
  const nCells = await cells.count();
  if (nCells !== 9) problems.push(`#confusion has ${nCells} td.cm-cell, expected 3×3`);
  const counts = await cells.evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-count'))));
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== runConfig.valCount) problems.push(`confusion counts sum to ${sum}, the validation set has ${runConfig.valCount} images`);
  const headers = await view.locator('#confusion thead th.cm-col').allInnerTexts();
  if (headers.join(',') !== 'blue,green,red') problems.push(`confusion column headers ${headers.join(',')}, expected blue,green,red`);

  // Hover a non-empty cell: the tooltip shows its count and example thumbnails.
  const nonEmpty = view.locator('#confusion td.cm-cell:not(.cm-zero)').first();
  await nonEmpty.scrollIntoViewIfNeeded();
  await nonEmpty.hover();
  const tip = view.locator('#cm-tooltip');
  await tip.waitFor({ state: 'visible', timeout: 5000 }).catch(() => problems.push('no tooltip on hovering a confusion cell'));
  const thumbs = await tip.locator('img.cm-thumb').count();
  if (!thumbs) problems.push('the confusion tooltip shows no example image');
  else {
    const loaded = await tip.locator('img.cm-thumb').first().evaluate((img) => img.complete && img.naturalWidth > 0).catch(() => false);
    if (!loaded) problems.push('the example thumbnail did not load (localResourceRoots?)');
  }
  await ctx.shot('confusion-hover');

  // The row-normalised toggle turns counts into percentages.
  await view.locator('#normalise-toggle').click();
  const firstCell = (await view.locator('#confusion td.cm-cell').first().innerText()).trim();
  if (!firstCell.endsWith('%')) problems.push(`row-normalised cell reads "${firstCell}"`);
  await ctx.shot('confusion-normalised');

  if (problems.length) throw new Error(problems.join('; '));
  notes.push(`training ${trainSeconds.toFixed(1)} s (command to done ${((Date.now() - t0) / 1000).toFixed(1)} s); step counts seen ${seenCounts.join(',')}; confusion sum ${sum} = ${runConfig.valCount} validation images`);
  return notes;
}
