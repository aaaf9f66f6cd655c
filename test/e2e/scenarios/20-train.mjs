// F1 > "AlexNet: Train on Folder" > the folder of 3 classes of coloured squares (6 each, drawn
// here with sharp) > the form: mode frozen, epochs 2, batch size 4, random starting weights (no
// weights exist here) > Start. The training view must plot more and more steps while it runs,
// and end 'done' with a confusion matrix whose counts sum to the validation set's size. Then "see
// what the model gets wrong": a click on a cell opens its gallery (one item per image, thumbnails
// loaded), Move to Class… moves the file on disk and the notification's Undo puts it back;
// Enter on a focused cell opens another cell's gallery; Top losses lists the misclassified images,
// and Exclude on one moves it to .alexnet/excluded/ until the gallery's Undo. A probe image chosen in
// the form shows in the view from the start; another chosen mid-run (Choose Probe Image…) replaces it
// and gets its top-5 and Grad-CAM in the view after the epochs that follow.
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { answerFileDialog, clickNotificationButton, explorerRow, runFromPalette, typeIntoFileDialog, webviewContent } from '../workbench.mjs';
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

  // A probe image chosen in the form is watched from the first epoch; the view changes it mid-run below.
  const formProbe = join(dataset, 'blue', '00.png');
  await pickRow(page, 'Probe image');
  await typeIntoFileDialog(page, formProbe);
  await page.keyboard.press('Enter');
  await waitForFormTitle(page, 'Train AlexNet on shapes/');
  const probeRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Probe image' }).first();
  await waitUntil(async () => (await probeRow.innerText()).includes('00.png'), { timeoutMs: 10_000, what: 'the form\'s Probe image line naming 00.png', describe: () => probeRow.innerText() });
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
  const probeImage = join(dataset, 'red', '00.png');
  let probeChosenAt = 0;
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
    if (last === 'training' && !probeChosenAt) {
      // the form's choice is in place before the first epoch ends
      const pending = (await view.locator('#probe-pending, #probe-caption').first().textContent({ timeout: 5000 }).catch(() => '')) ?? '';
      if (!pending.includes(formProbe)) throw new Error(`the view does not show the form's probe image ${formProbe}: "${pending}"`);
      // mid-run: the host writes probe.json, the trainer reads it after the epoch
      await view.locator('#choose-probe').click();
      await answerFileDialog(page, probeImage);
      probeChosenAt = (Date.now() - tStart) / 1000;
      ctx.log(`probe image chosen after ${probeChosenAt.toFixed(1)} s`);
    }
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
  // where the steps ran: config.json's device record, shown in the configuration (e2e runs with auto: the CPU here)
  if (runConfig.device?.id !== 'cpu' || runConfig.device?.preference !== 'auto') problems.push(`config.json device is ${JSON.stringify(runConfig.device)}, expected { id: 'cpu', preference: 'auto', ... }`);
  const configText = await view.locator('#run-config').innerText().catch(() => '');
  if (!/Device\s+CPU \(asked for: auto\)/.test(configText)) problems.push(`the configuration has no Device row 'CPU (asked for: auto)': ${configText.slice(0, 400)}`);
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

  await view.locator('#normalise-toggle').click(); // counts again

  notes.push(...(await probeChecks(ctx, view, { runDir, probeImage, problems })));
  notes.push(...(await galleryMoveAndUndo(ctx, page, view, { dataset, runDir, problems })));
  if (problems.length) throw new Error(problems.join('; '));
  notes.push(`training ${trainSeconds.toFixed(1)} s (command to done ${((Date.now() - t0) / 1000).toFixed(1)} s); step counts seen ${seenCounts.join(',')}; confusion sum ${sum} = ${runConfig.valCount} validation images`);
  return notes;
}

/** The probe image: probe.json, a probe-<epoch>.json per epoch after the choice, the heatmap over the image and the top-5 in the view. */
async function probeChecks(ctx, view, { runDir, probeImage, problems }) {
  const request = join(runDir, 'probe.json');
  if (!existsSync(request) || JSON.parse(readFileSync(request, 'utf8')).image !== probeImage) problems.push(`probe.json in ${runDir} does not name ${probeImage}`);
  const records = readdirSync(runDir).filter((n) => /^probe-\d+\.json$/.test(n)).sort();
  if (!records.length) {
    problems.push('no probe-<epoch>.json: the probe image chosen mid-run was not computed after any epoch (chosen too late?)');
    return [];
  }
  const latest = JSON.parse(readFileSync(join(runDir, records[records.length - 1]), 'utf8'));
  if (records.length !== 1) problems.push(`probe records ${records.join(', ')}: only the latest epoch's should be kept`);
  if (latest.image !== probeImage) problems.push(`probe-${latest.epoch}.json is of ${latest.image}, not of ${probeImage} chosen mid-run`);
  const rows = view.locator('#probe-top tbody tr');
  await waitUntil(async () => (await rows.count()) === 3, { timeoutMs: 10_000, what: 'the probe top-5 table with the 3 classes' }).catch((e) => problems.push(e.message));
  const first = await rows.first().getAttribute('data-class').catch(() => null);
  if (first !== String(latest.classIndex)) problems.push(`the probe table's first row is class ${first}, probe-${latest.epoch}.json's top-1 is ${latest.classIndex}`);
  const canvas = view.locator('canvas#probe-heatmap');
  const dims = await canvas.evaluate((c) => [c.width, c.height]).catch(() => null);
  if (!dims || dims[0] !== latest.width || dims[1] !== latest.height) problems.push(`canvas#probe-heatmap is ${JSON.stringify(dims)}, the heatmap ${latest.width}x${latest.height}`);
  const loaded = await view.locator('#probe .probe-frame img').evaluate((img) => img.complete && img.naturalWidth > 0).catch(() => false);
  if (!loaded) problems.push('the probe image did not load in the view');
  await view.locator('#overlay-opacity').fill('80');
  const opacity = await canvas.evaluate((c) => c.style.opacity).catch(() => '');
  if (opacity !== '0.8') problems.push(`the heatmap opacity is "${opacity}" after the slider moved to 80%`);
  await view.locator('#probe').scrollIntoViewIfNeeded();
  await ctx.shot('probe-image');
  return [`probe image: ${records.join(', ')}; top-1 ${latest.classNames[latest.classIndex]} ${(100 * latest.top[0][1]).toFixed(1)}%, heatmap ${latest.width}x${latest.height}`];
}

/** A cell's gallery, Move to Class… with the notification's Undo, Enter on a cell, Top losses. */
async function galleryMoveAndUndo(ctx, page, view, { dataset, runDir, problems }) {
  const records = readdirSync(runDir).filter((n) => /^val-\d+\.json$/.test(n));
  if (!records.length) problems.push(`no val-<epoch>.json in ${runDir}`);

  // A click on the fullest cell: the gallery lists exactly its images.
  const cells = view.locator('#confusion td.cm-cell');
  const counts = await cells.evaluateAll((tds) => tds.map((td) => ({ count: Number(td.dataset.count), actual: td.dataset.actual, predicted: td.dataset.predicted })));
  const fullest = counts.reduce((a, b) => (b.count > a.count ? b : a));
  const cell = view.locator(`#confusion td.cm-cell[data-actual="${fullest.actual}"][data-predicted="${fullest.predicted}"]`);
  await cell.scrollIntoViewIfNeeded();
  await cell.click();
  const gallery = view.locator('#gallery');
  await gallery.waitFor({ state: 'visible', timeout: 10_000 });
  const items = gallery.locator('figure.gallery-item');
  await waitUntil(async () => (await items.count()) === fullest.count, { timeoutMs: 10_000, what: `${fullest.count} gallery items (saw ${await items.count()})` }).catch((e) => problems.push(e.message));
  const loaded = await items.first().locator('img').evaluate((img) => img.complete && img.naturalWidth > 0).catch(() => false);
  if (!loaded) problems.push('the gallery thumbnail did not load');
  if (!(await cell.evaluate((td) => td.classList.contains('cm-selected')))) problems.push('the clicked cell is not marked selected');
  const verdictText = await items.first().locator('.gallery-verdict').innerText();
  if (!/%/.test(verdictText)) problems.push(`the gallery item shows no probability: "${verdictText}"`);
  await ctx.shot('gallery');

  // Move to Class…: a quick pick of the other classes; the file moves on disk.
  const path = await items.first().getAttribute('data-path');
  const from = basename(dirname(path));
  await items.first().locator('.gallery-move').click();
  const widget = page.locator('.quick-input-widget');
  const row = widget.locator('.quick-input-list .monaco-list-row').first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  const rowLabel = async (r) => ((await r.getAttribute('aria-label')) || (await r.innerText())).split(/[,\n]/)[0].trim();
  const target = await rowLabel(row);
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  const offered = [];
  for (let i = 0; i < (await rows.count()); i++) offered.push(await rowLabel(rows.nth(i)));
  if (offered.length !== 2) problems.push(`Move to Class offers ${offered.join(', ')}: expected the 2 other classes`);
  if (offered.includes(from)) problems.push(`Move to Class offers the image's own class ${from}`);
  await ctx.shot('move-to-class');
  // every class folder has 00.png, 01.png, ...: the name is taken, so the file gets a free one
  const name = basename(path);
  const taken = existsSync(join(dataset, target, name));
  const freeName = taken ? name.replace(/(\.[^.]+)$/, '-2$1') : name;
  const takenBytes = taken ? readFileSync(join(dataset, target, name)) : null;
  await row.click();
  const moved = join(dataset, target, freeName);
  await waitUntil(async () => existsSync(moved) && !existsSync(path), { timeoutMs: 10_000, what: `${basename(path)} to move from ${from}/ to ${target}/` }).catch((e) => problems.push(e.message));
  const editText = await items.first().locator('.gallery-edit').innerText({ timeout: 10_000 }).catch(() => '');
  const wantText = `Moved to ${target}${taken ? ` as ${freeName}` : ''}`;
  if (editText !== wantText) problems.push(`the gallery item says "${editText}" after the move, expected "${wantText}"`);
  if (takenBytes && !readFileSync(join(dataset, target, name)).equals(takenBytes)) problems.push(`${target}/${name} was overwritten`);
  await ctx.shot('moved');

  // Undo from the notification: the file is back, the item offers Move again.
  await clickNotificationButton(page, 'Undo', { timeoutMs: 15_000 });
  await waitUntil(async () => existsSync(path) && !existsSync(moved), { timeoutMs: 10_000, what: `${basename(path)} to come back to ${from}/` }).catch((e) => problems.push(e.message));
  await items.first().locator('.gallery-move').waitFor({ state: 'visible', timeout: 10_000 }).catch(() => problems.push('after Undo the gallery item does not offer Move to Class… again'));
  await ctx.shot('undone');

  // Keyboard: focus another non-empty cell, Enter opens its gallery.
  const other = counts.find((c) => c.count > 0 && (c.actual !== fullest.actual || c.predicted !== fullest.predicted));
  if (other) {
    const otherCell = view.locator(`#confusion td.cm-cell[data-actual="${other.actual}"][data-predicted="${other.predicted}"]`);
    await otherCell.focus();
    await otherCell.press('Enter');
    await waitUntil(async () => (await gallery.getAttribute('data-actual').catch(() => null)) === other.actual && (await gallery.getAttribute('data-predicted').catch(() => null)) === other.predicted, { timeoutMs: 10_000, what: "Enter to open the focused cell's gallery" })
      .catch((e) => problems.push(e.message));
    if ((await items.count()) !== other.count) problems.push(`the gallery opened by Enter has ${await items.count()} items, the cell ${other.count}`);
  }

  // Top losses: the misclassified images, highest loss first.
  const wrong = counts.filter((c) => c.actual !== c.predicted).reduce((a, c) => a + c.count, 0);
  const tops = view.locator('#top-losses figure.gallery-item');
  const nTop = await tops.count();
  if (nTop !== Math.min(12, wrong)) problems.push(`Top losses lists ${nTop} images, ${wrong} are misclassified`);
  const losses = await tops.evaluateAll((f) => f.map((x) => Number(x.dataset.loss)));
  if (losses.some((l, i) => i > 0 && l > losses[i - 1])) problems.push(`Top losses is not sorted by loss: ${losses.join(',')}`);
  await view.locator('#top-losses').scrollIntoViewIfNeeded();
  await ctx.shot('top-losses');

  // Exclude from Top losses: the file goes to <dataset>/.alexnet/excluded/<class>/, the item's Undo brings it back.
  if (nTop) {
    const top = tops.first();
    const exPath = await top.getAttribute('data-path');
    const excluded = join(dataset, '.alexnet', 'excluded', basename(dirname(exPath)), basename(exPath));
    await top.locator('.gallery-exclude').click();
    await waitUntil(async () => existsSync(excluded) && !existsSync(exPath), { timeoutMs: 10_000, what: `${basename(exPath)} to move to .alexnet/excluded/` }).catch((e) => problems.push(e.message));
    const undo = view.locator('#top-losses figure.gallery-item').first().locator('.gallery-undo');
    await undo.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => problems.push('an excluded image offers no Undo in the gallery'));
    await ctx.shot('excluded');
    await undo.click().catch(() => undefined);
    await waitUntil(async () => existsSync(exPath) && !existsSync(excluded), { timeoutMs: 10_000, what: `${basename(exPath)} to come back from .alexnet/excluded/` }).catch((e) => problems.push(e.message));
  }
  return [`gallery of ${fullest.count} images (cell ${fullest.actual},${fullest.predicted}); moved ${basename(path)} ${from} -> ${target}/${freeName} and undone; top losses ${nTop} of ${wrong} misclassified, the first excluded and put back`];
}
