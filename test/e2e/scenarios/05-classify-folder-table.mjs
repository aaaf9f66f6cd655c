// Classify Folder on a class-per-folder folder (goldfish/ and tabby/, drawn, 4 each) with no
// weights and a weights mirror that refuses connections: the prompt's short buttons, Download
// fails, its error offers Use Untrained, and the classification goes on. The table shows paths
// relative to the folder, a Folder column, a summary (images, classes predicted, time, top-1
// against the folder names), mismatches first, a filter box and sortable columns; the Top-1
// column is not repeated in the runners-up.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { drawImage } from '../fixtures.mjs';
import { clickNotificationButton, explorerRow, pickContextMenuItem, waitForWebviewStatus, webviewContent } from '../workbench.mjs';

export const title = 'Classify Folder: failed download > Use Untrained, then the sortable, filterable table with a summary';

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  const folder = join(workspace, 'pets');
  for (const [cls, colour] of [['goldfish', '#e8902a'], ['tabby', '#8a7a66']]) {
    mkdirSync(join(folder, cls), { recursive: true });
    for (let i = 0; i < 4; i++) await drawImage(join(folder, cls, `${String(i).padStart(2, '0')}.png`), { width: 96, height: 96, background: colour, shapes: [`<circle cx="${30 + i * 10}" cy="48" r="${14 + i * 3}" fill="#ffffff"/>`] });
  }
  const { page } = await ctx.openVSCode({ workspace, settings: { 'alexnet.weights.mirror': 'http://127.0.0.1:9/weights' } });
  const row = await explorerRow(page, 'pets');
  await pickContextMenuItem(page, row, /Classify Folder/);
  let labels = [];
  await clickNotificationButton(page, 'Download', {
    timeoutMs: 60_000,
    onVisible: async () => {
      labels = await page.locator('.notifications-toasts .notification-toast .monaco-button').allInnerTexts();
      await ctx.shot('weights-prompt');
    },
  });
  notes.push(`prompt buttons: ${labels.join(' | ')}`);
  for (const want of ['Download', 'Load File…', 'Use Untrained']) if (!labels.includes(want)) throw new Error(`the weights prompt lacks "${want}": ${labels.join(' | ')}`);
  // the download cannot connect: its error offers the other two answers
  await clickNotificationButton(page, 'Use Untrained', { timeoutMs: 90_000, onVisible: () => ctx.shot('download-failed') });
  const status = await waitForWebviewStatus(page, { timeoutMs: 180_000 });
  if (status !== 'done') throw new Error(`results say ${status}`);
  const view = webviewContent(page);
  const summary = (await view.locator('#summary').textContent()).trim();
  notes.push(`summary: ${summary}`);
  if (!/^8 images · \d+ class(es)? predicted · [\d.]+ s · top-1 matches the folder for \d+ of 8/.test(summary)) throw new Error(`unexpected summary "${summary}"`);
  const files = await view.locator('tr.result-row td.file').allInnerTexts();
  if (!files.every((f) => /^(goldfish|tabby)\/0\d\.png$/.test(f.replace(/\s/g, '')))) throw new Error(`paths should be relative to the folder: ${files.join(', ')}`);
  const matches = await view.locator('tr.result-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.match));
  const firstTrue = matches.indexOf('true');
  if (firstTrue >= 0 && matches.slice(firstTrue).includes('false')) throw new Error(`mismatches should come first: ${matches.join(',')}`);
  notes.push(`order by match: ${matches.join(',')}`);
  const rest = await view.locator('tr.result-row').first().locator('td.rest li').count();
  if (rest !== 4) throw new Error(`the runners-up column should hold 4 classes (top 2-5), has ${rest}`);
  await ctx.shot('table');
  await view.locator('#filter').fill('tabby');
  const filtered = await view.locator('tr.result-row').count();
  notes.push(`filter "tabby": ${filtered} rows (${(await view.locator('#shown-count').textContent()).trim()})`);
  if (filtered !== 4) throw new Error(`the filter should leave the 4 tabby rows, left ${filtered}`);
  await view.locator('#filter').fill('');
  await view.locator('th[data-key="probability"] button').click();
  const probs = (await view.locator('tr.result-row td.prob').allInnerTexts()).map((t) => parseFloat(t));
  if (probs.some((p, i) => i > 0 && p > probs[i - 1])) throw new Error(`Prob. should sort high to low: ${probs.join(', ')}`);
  if ((await view.locator('th[data-key="probability"]').getAttribute('aria-sort')) !== 'descending') throw new Error('aria-sort should say descending');
  notes.push(`sorted by probability: ${probs.join(', ')}`);
  await ctx.shot('sorted');
  return notes;
}
