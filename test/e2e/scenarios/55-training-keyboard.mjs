// The training view by keyboard alone (issue 16): a finished run (written here, no training) opened
// with F1 > AlexNet: Open Training Run and Enter; then Tab through the view: Reveal Run Folder, the
// curves' numbers (Enter opens the table), the epoch list, the row-normalised toggle, the confusion
// matrix (one tab stop; arrow keys, Home/End move and show the cell's box; Space toggles keep the
// focus where it was; the epoch list changes the matrix), Enter on a cell opens its gallery.
// Then the curves' controls: the smoothing slider by arrow keys (the chart's label follows), no lr
// chart for this constant-lr run, Compare with Run… on a second run (its dashed curves' table),
// Clear Comparison. No mouse click anywhere.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openRunByKeyboard, RUN_CLASSES, writeFinishedRun } from '../trainingRun.mjs';
import { webviewWith } from '../inspectViews.mjs';

export const title = 'Training view by keyboard alone: tables, epoch list, toggle, confusion cells';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What has the focus in the view: an id, else tag.class, plus a cell's coordinates. */
function focusedInView() {
  const el = document.activeElement;
  if (!el || el === document.body) return { what: 'body' };
  const what = el.id || `${el.tagName.toLowerCase()}${el.classList[0] ? `.${el.classList[0]}` : ''}`;
  return { what, actual: el.dataset?.actual, predicted: el.dataset?.predicted, text: el.textContent?.trim().slice(0, 40) };
}

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  const { confusion, runDir } = await writeFinishedRun(workspace);
  // an older run to compare with: the same run, its training loss 0.25 higher
  const otherDir = join(dirname(runDir), '2025-12-31_00-00-00');
  cpSync(runDir, otherDir, { recursive: true });
  const metrics = join(otherDir, 'metrics.jsonl');
  writeFileSync(metrics, readFileSync(metrics, 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l);
    if (r.type === 'epoch') r.trainLoss += 0.25;
    return JSON.stringify(r);
  }).join('\n') + '\n');
  const { page } = await ctx.openVSCode({ workspace, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
  await page.locator('.statusbar-item', { hasText: 'AlexNet' }).first().waitFor({ state: 'visible', timeout: 120_000 });
  await openRunByKeyboard(page);
  const view = await webviewWith(page, 'table#confusion', { timeoutMs: 60_000 });
  const status = (await view.locator('#status').textContent()).trim();
  if (status !== 'done') throw new Error(`the finished run's view says "${status}"`);
  const focused = () => view.locator('body').evaluate(focusedInView);
  const press = async (key) => {
    await page.keyboard.press(key);
    await sleep(150);
    return focused();
  };

  // Tab from the top: every control on the way, the curves' table opened with Enter.
  await view.locator('body').evaluate(() => document.activeElement?.blur?.());
  const passed = [];
  let f = { what: 'body' };
  for (let i = 0; i < 20 && f.what !== 'td.cm-cell'; i++) {
    f = await press('Tab');
    passed.push(f.what);
    if (f.what === 'summary') await press('Enter');
  }
  if (f.what !== 'td.cm-cell') throw new Error(`Tab never reached the confusion matrix; it went ${passed.join(' > ')}`);
  for (const want of ['vscode-button', 'smoothing', 'compare-run', 'summary', 'epoch-select', 'normalise-toggle']) {
    if (!passed.includes(want)) throw new Error(`Tab skipped ${want}: ${passed.join(' > ')}`);
  }
  const epochRows = await view.locator('#curves-numbers table.epochs tbody tr').count();
  if (!(await view.locator('#curves-numbers').evaluate((d) => d.open)) || epochRows !== 2) throw new Error(`Enter on "The curves as numbers" should show 2 epoch rows (open: ${await view.locator('#curves-numbers').evaluate((d) => d.open)}, ${epochRows} rows)`);
  notes.push(`Tab order in the view: ${passed.filter((w) => w !== 'body').join(' > ')}; the curves' table opened by Enter (${epochRows} epochs)`);

  // The matrix is one tab stop; arrows move, the box follows the focus.
  const stops = await view.locator('#confusion td.cm-cell[tabindex="0"]').count();
  if (stops !== 1) throw new Error(`the confusion matrix should be one tab stop, ${stops} cells have tabindex 0`);
  const tip = view.locator('#cm-tooltip');
  const expectAt = async (cell, a, p) => {
    if (cell.actual !== String(a) || cell.predicted !== String(p)) throw new Error(`expected the cell actual ${RUN_CLASSES[a]}, predicted ${RUN_CLASSES[p]} to have the focus, got ${JSON.stringify(cell)}`);
    await tip.waitFor({ state: 'visible', timeout: 3000 });
    const text = (await tip.textContent()).trim();
    const count = confusion[a][p];
    if (!text.includes(`${count} image${count === 1 ? '' : 's'}`)) throw new Error(`the box of ${RUN_CLASSES[a]}/${RUN_CLASSES[p]} should say ${count} images: "${text}"`);
    return text;
  };
  await expectAt(f, 0, 0);
  await expectAt(await press('ArrowRight'), 0, 1);
  await expectAt(await press('ArrowDown'), 1, 1);
  await expectAt(await press('End'), 1, 2);
  const box = await expectAt(await press('Home'), 1, 0);
  await ctx.shot('confusion-keyboard');
  notes.push(`Right, Down, End, Home: green taken for blue, box "${box.slice(0, 60)}"`);

  // Shift+Tab to the toggle, Space: percentages, the focus stays on the toggle; Tab comes back to the same cell.
  f = await press('Shift+Tab');
  if (f.what !== 'normalise-toggle') throw new Error(`Shift+Tab from the matrix should reach the toggle, got ${f.what}`);
  f = await press('Space');
  if (f.what !== 'normalise-toggle') throw new Error(`after Space on the toggle the focus went to ${f.what}`);
  f = await press('Tab');
  if (f.what !== 'td.cm-cell' || f.actual !== '1' || f.predicted !== '0' || !f.text.endsWith('%')) throw new Error(`Tab back should reach the same cell, now in percent: ${JSON.stringify(f)}`);
  notes.push(`Space on Row-normalised: the cell reads "${f.text}", focus kept`);

  // Shift+Tab twice to the epoch list: Space opens, Up picks epoch 1, Enter; the matrix follows.
  await press('Shift+Tab');
  f = await press('Shift+Tab');
  if (f.what !== 'epoch-select') throw new Error(`Shift+Tab twice from the matrix should reach the epoch list, got ${f.what}`);
  await press('Space');
  await press('ArrowUp');
  f = await press('Enter');
  const label = await view.locator('#confusion').getAttribute('aria-label');
  if (!/after epoch 1$/.test(label ?? '')) throw new Error(`the epoch list did not switch the matrix to epoch 1: "${label}"`);
  if (f.what !== 'epoch-select') throw new Error(`after choosing an epoch the focus went to ${f.what}`);
  notes.push(`epoch list by keyboard: "${label}"`);

  // Tab to the matrix and Enter: the cell's gallery opens under the matrix (this hand-written run has
  // no per-image records, so it says so), for the cell that had the focus.
  await press('Tab');
  f = await press('Tab');
  if (f.what !== 'td.cm-cell') throw new Error(`Tab from the epoch list should reach the matrix, got ${f.what}`);
  await page.keyboard.press('Enter');
  const gallery = view.locator('#gallery');
  await gallery.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {
    throw new Error(`Enter on the cell ${JSON.stringify(f)} opened no gallery`);
  });
  const at = await gallery.evaluate((g) => ({ actual: g.dataset.actual, predicted: g.dataset.predicted }));
  if (at.actual !== f.actual || at.predicted !== f.predicted) throw new Error(`the gallery is for cell ${JSON.stringify(at)}, not the focused ${JSON.stringify(f)}`);
  await ctx.shot('gallery-opened');
  notes.push(`Enter on ${RUN_CLASSES[f.actual]}/${RUN_CLASSES[f.predicted]} opened its gallery: "${(await gallery.textContent()).trim().slice(0, 80)}"`);

  // The curves: this run's lr is constant, so no lr chart, a sentence instead.
  if (await view.locator('#lr-chart').count()) throw new Error('a constant-lr run shows a learning-rate chart');
  const lrText = (await view.locator('#lr-constant').textContent().catch(() => '')).trim();
  if (!/1\.00e-2 throughout/.test(lrText)) throw new Error(`the constant lr should be stated: "${lrText}"`);
  // the smoothing slider by keyboard (focused from the gallery by Shift+Tab would be long: focus it directly, no click)
  await view.locator('#smoothing').focus();
  f = await press('ArrowLeft');
  const smoothed = await view.locator('#smoothing-value').textContent();
  const lossLabel = await view.locator('#loss-chart').getAttribute('aria-label');
  if (f.what !== 'smoothing' || smoothed !== '0.59' || !lossLabel.includes('smoothing 0.59')) throw new Error(`ArrowLeft on the smoothing slider: focus ${f.what}, value ${smoothed}, chart label "${lossLabel}"`);
  notes.push(`smoothing by ArrowLeft: ${smoothed}; the chart says "${lossLabel}"`);
  // Compare with Run…: Tab to it, Enter, the other run is the only one offered; Enter picks it.
  f = await press('Tab');
  if (f.what !== 'compare-run') throw new Error(`Tab from the slider should reach Compare with Run…, got ${f.what}`);
  await page.keyboard.press('Enter');
  const other = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '2025-12-31_00-00-00' }).first();
  await other.waitFor({ state: 'visible', timeout: 15_000 });
  const offered = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').count();
  if (offered !== 1) throw new Error(`Compare with Run… should offer only the other run, it offers ${offered}`);
  await page.keyboard.press('Enter');
  const compared = view.locator('#compared-numbers-table table.epochs-compared tbody tr');
  await view.locator('#clear-comparison').waitFor({ state: 'visible', timeout: 15_000 });
  const rows = await compared.allTextContents();
  if (rows.length !== 2 || !rows[0].includes('1.2500')) throw new Error(`the compared run's table should have 2 epochs, epoch 1 training loss 1.2500: ${JSON.stringify(rows)}`);
  const epochLabel = await view.locator('#epoch-chart').getAttribute('aria-label');
  if (!epochLabel.includes("dashed: run 2025-12-31_00-00-00's")) throw new Error(`the loss chart's label does not name the compared run: "${epochLabel}"`);
  if (!(await view.locator('#curves-numbers').evaluate((d) => d.open))) throw new Error('the curves\' numbers closed when the comparison came');
  await ctx.shot('compared');
  notes.push(`compared with 2025-12-31_00-00-00: ${rows.length} epochs in its table; "${epochLabel}"`);
  // Clear Comparison by keyboard: the table goes, the focus lands on Compare with Run…
  f = await press('Tab');
  if (f.what !== 'clear-comparison') throw new Error(`Tab from Compare with Run… should reach Clear Comparison, got ${f.what}`);
  await page.keyboard.press('Enter');
  await view.locator('#clear-comparison').waitFor({ state: 'detached', timeout: 10_000 });
  await sleep(200);
  f = await focused();
  if ((await compared.count()) !== 0 || f.what !== 'compare-run') throw new Error(`after Clear Comparison: ${await compared.count()} compared rows, focus on ${f.what}`);
  notes.push('Clear Comparison: its table gone, focus on Compare with Run…');
  return notes;
}
