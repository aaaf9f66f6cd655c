// Two photos selected in the Explorer (click + Ctrl+click), right-click > "Classify Image":
// one result row per image (tr.result-row), each with its top-1 in its own cell and the topK-1 runners-up.
import { placePhoto, drawImage } from '../fixtures.mjs';
import { join } from 'node:path';
import { explorerRow, pickContextMenuItem, clickNotificationButton, waitForWebviewStatus, webviewContent } from '../workbench.mjs';
import { waitUntil } from '../waitFor.mjs';

export const title = 'Explorer multi-select: two photos, one result row each';

export async function run(ctx) {
  const workspace = ctx.workspaceDir();
  await placePhoto(workspace, 'a-photo.jpg');
  await drawImage(join(workspace, 'b-drawing.png'));
  // autoReveal would reset the selection to the file the first click opens once its editor loads.
  const { page } = await ctx.openVSCode({ workspace, settings: { 'explorer.autoReveal': false } });
  const first = await explorerRow(page, 'a-photo.jpg');
  const second = await explorerRow(page, 'b-drawing.png');
  await selectBoth(page, first, second);
  await ctx.shot('two-selected');
  await pickContextMenuItem(page, second, /Classify Image/, { onAttempt: async (n, found) => { if (found) await ctx.shot('context-menu'); } });
  await clickNotificationButton(page, 'Use Untrained', { timeoutMs: 60_000, onVisible: () => ctx.shot('weights-prompt') });
  const status = await waitForWebviewStatus(page, { timeoutMs: 180_000 });
  await ctx.shot(`result-${status}`);
  if (status !== 'done') throw new Error(`result webview says ${status}`);
  const rows = webviewContent(page).locator('tr.result-row');
  const n = await rows.count();
  if (n !== 2) throw new Error(`expected 2 tr.result-row, got ${n}`);
  const problems = [];
  for (let i = 0; i < n; i++) {
    // the top-1 has its own column; the list holds the runners-up (top 2-5), not the top-1 again
    const top1 = (await rows.nth(i).locator('td.top1').innerText()).trim();
    const predictions = await rows.nth(i).locator('.prediction').count();
    const text = (await rows.nth(i).innerText()).replace(/\s+/g, ' ').slice(0, 80);
    if (!top1) problems.push(`row ${i} (${text}) has an empty top-1 cell`);
    if (predictions !== 4) problems.push(`row ${i} (${text}) has ${predictions} runner-up .prediction, expected 4`);
  }
  const names = (await rows.allInnerTexts()).map((t) => (t.includes('a-photo.jpg') ? 'a' : t.includes('b-drawing.png') ? 'b' : '?')).sort().join('');
  if (names !== 'ab') problems.push(`rows do not name both files (got ${names})`);
  if (problems.length) throw new Error(problems.join('; '));
  return [`2 result rows, each with a top-1 and 4 runners-up`];
}

/** Selects both rows (Shift+click, else Shift+ArrowDown); checks the Explorer shows 2 selected rows. */
async function selectBoth(page, first, second) {
  const selected = page.locator('.explorer-folders-view .monaco-list-row[aria-selected="true"]');
  const two = () => waitUntil(async () => (await selected.count()) === 2, { timeoutMs: 10_000, what: '2 selected rows' }).then(() => true, () => false);
  await first.click();
  // The click opens the photo in an editor (an image preview webview, or the binary-file notice
  // where there is none); until it is up it can take the focus and the selection back, so wait for
  // its tab and its content before the Shift+click.
  const shown = page.locator('.editor-container .monaco-editor-pane-placeholder, iframe.webview.ready');
  await waitUntil(async () => (await page.locator('.tabs-container .tab.active', { hasText: 'a-photo.jpg' }).count()) > 0
    && (await shown.first().isVisible())
    && (await first.getAttribute('aria-selected')) === 'true', {
    timeoutMs: 60_000, what: 'a-photo.jpg open in its editor and selected in the Explorer',
    describe: async () => `active tab "${(await page.locator('.tabs-container .tab.active').allInnerTexts()).join('|')}", ${await shown.count()} editor contents, row selected: ${await first.getAttribute('aria-selected')}`,
  });
  await second.click({ modifiers: ['Shift'] });
  if (await two()) return;
  await first.click();
  await page.keyboard.press('Shift+ArrowDown');
  if (await two()) return;
  throw new Error(`could not select both files in the Explorer (${await selected.count()} selected)`);
}
