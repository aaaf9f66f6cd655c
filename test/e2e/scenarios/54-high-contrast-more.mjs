// High Contrast, dark and light, for the views 53 does not open: the weights viewer (conv2's
// detail chosen by keyboard, its block outlined and its tensor rows marked), the training view of
// a finished run (a confusion cell focused by keyboard, its box shown, the curves' table open),
// the classify result view, the Project Folder map (its legend, a point's details and Save Paths after Space selected it) and the GPU
// setup report. The same rules as 53 (test/e2e/contrast.mjs): text 4.5:1, outlines,
// selection and focus 3:1.
import { copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerFileDialog, explorerRow, pickContextMenuItem, runFromPalette, waitForWebviewStatus, webviewContent } from '../workbench.mjs';
import { waitDone, webviewWith } from '../inspectViews.mjs';
import { placePhoto } from '../fixtures.mjs';
import { openRunByKeyboard, writeFinishedRun } from '../trainingRun.mjs';
import { checkContrast, HIGH_CONTRAST_THEMES, slug } from '../contrast.mjs';

export const title = 'High Contrast themes: weights viewer, training view, classify result, Project Folder and GPU setup stay visible';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'parity', 'torchvision.pth');

export async function run(ctx) {
  const notes = [];
  for (const theme of HIGH_CONTRAST_THEMES) {
    const workspace = ctx.workspaceDir(slug(theme));
    const photo = await placePhoto(workspace, 'photo.jpg');
    copyFileSync(FIXTURE, join(workspace, 'small.pth'));
    await writeFinishedRun(workspace);
    const { page } = await ctx.openVSCode({ workspace, settings: { 'workbench.colorTheme': theme }, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
    await page.locator('.statusbar-item', { hasText: 'AlexNet' }).first().waitFor({ state: 'visible', timeout: 120_000 });

    // The weights viewer, conv2's detail chosen by keyboard.
    await (await explorerRow(page, 'small.pth')).click();
    const viewer = await webviewWith(page, 'table.tensors', { timeoutMs: 120_000 });
    await waitDone(viewer);
    await viewer.locator('svg#diagram g.block[data-layer="conv1"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await viewer.locator('#layer-detail[data-layer]').waitFor({ state: 'visible', timeout: 5000 });
    const layer = await viewer.locator('#layer-detail').getAttribute('data-layer');
    if ((await viewer.locator('table.tensors tr.selected').count()) !== 2) throw new Error(`${theme}: ${layer}'s two tensors are not marked in the tensor table`);
    const viewerChecked = await checkContrast(viewer, `${theme}, weights viewer (${layer})`);
    await ctx.shot(`${slug(theme)}-weights-viewer`);

    // The training view: a confusion cell focused by keyboard shows its box.
    await openRunByKeyboard(page);
    const training = await webviewWith(page, 'table#confusion', { timeoutMs: 60_000 });
    await training.locator('#curves-numbers').evaluate((d) => { d.open = true; });
    await training.locator('#confusion td.cm-cell').first().focus();
    await page.keyboard.press('ArrowRight');
    await training.locator('#cm-tooltip').waitFor({ state: 'visible', timeout: 3000 });
    const trainingChecked = await checkContrast(training, `${theme}, training view`);
    await ctx.shot(`${slug(theme)}-training`);

    // The classify result view.
    await runFromPalette(page, 'AlexNet: Classify Image');
    await answerFileDialog(page, photo.path);
    const state = await waitForWebviewStatus(page, { timeoutMs: 180_000 });
    if (state !== 'done') throw new Error(`${theme}: the classification ended "${state}"`);
    const classifyChecked = await checkContrast(webviewContent(page), `${theme}, classify result`);
    await ctx.shot(`${slug(theme)}-classify`);

    // The Project Folder map of the run's 9 drawn images: legend, a point's details and selection by keyboard.
    await pickContextMenuItem(page, await explorerRow(page, 'shapes'), /Project Folder/);
    const map = await webviewWith(page, 'canvas#plot', { timeoutMs: 240_000 });
    await waitDone(map, { timeoutMs: 180_000, until: async () => (await map.locator('#app').getAttribute('data-method')) === 'umap' });
    await map.locator('#plot').focus();
    await page.keyboard.press('n');
    await map.locator('#details #open-image').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press(' '); // the focused point into the selection: Save Paths is on
    if ((await map.locator('#app').getAttribute('data-selected')) !== '1' || (await map.locator('#export').isDisabled())) throw new Error(`${theme}: Space on the focused point should select it (data-selected ${await map.locator('#app').getAttribute('data-selected')})`);
    const mapChecked = await checkContrast(map, `${theme}, Project Folder`);
    await ctx.shot(`${slug(theme)}-project-folder`);

    // The GPU setup report.
    await runFromPalette(page, 'AlexNet: Check GPU Setup');
    const gpu = await webviewWith(page, 'table[aria-label="GPU setup checks"]', { timeoutMs: 180_000 });
    const gpuChecked = await checkContrast(gpu, `${theme}, GPU setup`);
    await ctx.shot(`${slug(theme)}-gpu-setup`);

    notes.push(`${theme}: ${viewerChecked} texts in the weights viewer (${layer} chosen), ${trainingChecked} in the training view, ${classifyChecked} in the classify result, ${mapChecked} in the Project Folder map, ${gpuChecked} in the GPU setup at >= 4.5:1; outlines, selection and focus >= 3:1`);
    await ctx.server.stop();
  }
  return notes;
}
