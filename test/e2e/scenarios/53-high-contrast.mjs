// High Contrast, dark and light: the architecture view, conv1's filters, the activation explorer
// side panel (Grad-CAM, legends, the channel grid) and the feature-maps panel (a channel chosen by
// keyboard, large over the image, its legend) keep every element visible. Every piece of text
// (HTML and SVG) must reach a 4.5:1 contrast with what is behind it, block outlines and arrows
// 3:1, and the selected filter's or channel's outline and the focused grid's ring must be drawn
// in a colour that stands out (test/e2e/contrast.mjs). 54 does the weights viewer, the training
// view and the classify result.
import { answerFileDialog, explorerRow, runFromPalette } from '../workbench.mjs';
import { openActivity, waitDone, webviewWith } from '../inspectViews.mjs';
import { placePhoto } from '../fixtures.mjs';
import { checkContrast as check } from '../contrast.mjs';

export const title = 'High Contrast themes: architecture, filters, the side panel and the feature maps stay visible';

export async function run(ctx) {
  const notes = [];
  for (const theme of ['Default High Contrast', 'Default High Contrast Light']) {
    const workspace = ctx.workspaceDir(theme.replace(/ /g, '-'));
    const photo = await placePhoto(workspace, 'photo.jpg');
    const { page } = await ctx.openVSCode({ workspace, settings: { 'workbench.colorTheme': theme }, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
    await runFromPalette(page, 'AlexNet: Show Architecture');
    const arch = await webviewWith(page, 'svg#diagram', { timeoutMs: 120_000 });
    await waitDone(arch);
    const archChecked = await check(arch, `${theme}, architecture`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-architecture`);
    await arch.locator('g.block[data-layer="conv1"]').focus();
    await page.keyboard.press('Enter');
    const filters = await webviewWith(page, 'canvas#filters', { timeoutMs: 120_000 });
    await waitDone(filters, { until: async () => (await filters.locator('#filters').getAttribute('data-count')) === '64' });
    await filters.locator('#filters').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const filtersChecked = await check(filters, `${theme}, filters`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-filters`);
    // The side panel on a photo: Grad-CAM and its legend, a channel selected in the grid by keyboard.
    await explorerRow(page, 'photo.jpg');
    await openActivity(page, 'AlexNet');
    const empty = await webviewWith(page, '#pick-image');
    await empty.locator('#pick-image').click();
    await answerFileDialog(page, photo.path);
    const side = await webviewWith(page, '#cam-view', { timeoutMs: 180_000 });
    await waitDone(side, { until: async () => !!(await side.locator('#cam-legend-scale').count()) && !!(await side.locator('#app').getAttribute('data-channels')) });
    await side.locator('#grid').focus();
    await page.keyboard.press('ArrowRight');
    const sideChecked = await check(side, `${theme}, side panel`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-side-panel`);
    // The feature-maps panel from the side panel's Open, a channel chosen in its grid by keyboard.
    await side.locator('#open-panel').focus();
    await page.keyboard.press('Enter');
    const maps = await webviewWith(page, 'canvas#detail', { timeoutMs: 60_000 });
    await waitDone(maps, { until: async () => !!(await maps.locator('#app').getAttribute('data-channels')) });
    await maps.locator('#grid').focus();
    await page.keyboard.press('ArrowRight');
    await waitDone(maps, { until: async () => !!(await maps.locator('#detail-legend-scale').count()) });
    const mapsChecked = await check(maps, `${theme}, feature maps`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-feature-maps`);
    notes.push(`${theme}: ${archChecked} text elements in the architecture view, ${filtersChecked} in the filters view, ${sideChecked} in the side panel and ${mapsChecked} in the feature maps at >= 4.5:1; outlines, selection and focus ring >= 3:1`);
    await ctx.server.stop();
  }
  return notes;
}
