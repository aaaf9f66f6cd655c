// Activation explorer: open the AlexNet side panel, pick a photo (its "Choose image" button and
// the file dialog), see the top-5 and Grad-CAM, step to conv3 and see its 384 maps, select a
// channel; then "Open" the layer in the feature-maps panel and go back to conv1 there to read
// how long the 96 maps of 55x55 took to draw (paper variant, untrained weights).
import { placePhoto } from '../fixtures.mjs';
import { answerFileDialog, explorerRow } from '../workbench.mjs';
import { openActivity, waitDone, webviewWith } from '../inspectViews.mjs';

export const title = 'Activation explorer: side panel, conv3 maps, feature-map panel render time';

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  const photo = await placePhoto(workspace, 'photo.jpg');
  ctx.log(`photo: ${photo.source}`);
  const { page } = await ctx.openVSCode({ workspace, settings: { 'alexnet.variant': 'paper' }, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
  await explorerRow(page, 'photo.jpg');
  await openActivity(page, 'AlexNet');
  const empty = await webviewWith(page, '#pick-image');
  await ctx.shot('side-panel-empty');
  ctx.log(`side panel open: "${(await empty.locator('#status').textContent()).trim()}"`);
  await empty.locator('#pick-image').click();
  await answerFileDialog(page, photo.path, { onTyped: () => ctx.shot('file-dialog') });
  const explorer = await webviewWith(page, '#cam-view', { timeoutMs: 180_000 });
  await waitDone(explorer, { until: async () => (await explorer.locator('#app').getAttribute('data-layer')) === 'conv1' && !!(await explorer.locator('#cam-view').getAttribute('data-class-index')), onTick: (s) => ctx.shot(`waiting-${s}s`) });
  await ctx.shot('explorer-conv1');
  const top = await explorer.locator('ol.predictions li').allInnerTexts();
  if (top.length !== 5) throw new Error(`expected 5 predictions, got ${top.length}`);
  notes.push(`top-5 shown; Grad-CAM for class ${await explorer.locator('#cam-view').getAttribute('data-class-index')}`);
  notes.push(`side panel conv1 grid: ${await explorer.locator('#app').getAttribute('data-channels')} maps drawn in ${await explorer.locator('#app').getAttribute('data-render-ms')} ms`);

  // Step through the layers to conv3 with the "next layer" button.
  for (let i = 0; i < 12; i++) {
    if ((await explorer.locator('#app').getAttribute('data-layer')) === 'conv3') break;
    await explorer.locator('#next-layer').click();
    await waitDone(explorer);
  }
  await waitDone(explorer, { until: async () => (await explorer.locator('#app').getAttribute('data-layer')) === 'conv3' && (await explorer.locator('#app').getAttribute('data-channels')) === '384' });
  await explorer.locator('ul.channels li').first().click();
  const channel = await explorer.locator('#channel-view').getAttribute('data-channel');
  if (channel === null) throw new Error('clicking the strongest channel did not select it');
  await explorer.locator('#grid').scrollIntoViewIfNeeded();
  // issue 16: the side panel's grid fills its width, names the tile under the pointer, outlines
  // the selected one; both overlays carry a colour legend
  const gridBox = await explorer.locator('#grid').boundingBox();
  const wrapWidth = await explorer.locator('.grid-wrap').evaluate((e) => e.clientWidth);
  if (gridBox.width < wrapWidth * 0.9 || gridBox.width > wrapWidth + 1) throw new Error(`the grid is ${gridBox.width} px wide in a ${wrapWidth} px panel`);
  await explorer.locator('#grid').hover({ position: { x: 5, y: 5 } });
  const hover = (await explorer.locator('#hover-label').textContent()).trim();
  if (!/^conv3 #\d+: mean/.test(hover)) throw new Error(`hovering the first tile should name it: "${hover}"`);
  if (await explorer.locator('#grid-highlight').isHidden()) throw new Error('the selected channel is not outlined in the grid');
  for (const id of ['#cam-legend-scale', '#channel-legend-scale']) if (!(await explorer.locator(id).getAttribute('aria-label'))?.startsWith('Colour scale')) throw new Error(`${id} is missing`);
  await ctx.shot('explorer-conv3');
  notes.push(`side panel: grid ${Math.round(gridBox.width)} of ${wrapWidth} px, hover "${hover}", legends: "${await explorer.locator('#cam-legend-scale').getAttribute('aria-label')}"`);
  notes.push(`conv3: 384 maps (13x13) in ${await explorer.locator('#app').getAttribute('data-render-ms')} ms; strongest channel #${channel} selected`);

  // The same image in the editor-area panel, back at conv1 (96 maps of 55x55).
  await explorer.locator('#open-panel').click();
  const panel = await webviewWith(page, 'canvas#detail', { timeoutMs: 60_000 });
  await waitDone(panel, { until: async () => (await panel.locator('#app').getAttribute('data-layer')) === 'conv3' });
  await panel.locator('#prev-layer').click(); // relu2 ... until conv1
  for (let i = 0; i < 12; i++) {
    if ((await panel.locator('#app').getAttribute('data-layer')) === 'conv1') break;
    await panel.locator('#prev-layer').click();
    await waitDone(panel);
  }
  await waitDone(panel, { until: async () => (await panel.locator('#app').getAttribute('data-layer')) === 'conv1' && !!(await panel.locator('#app').getAttribute('data-frame-ms')) });
  const drawMs = Number(await panel.locator('#app').getAttribute('data-render-ms'));
  const frameMs = Number(await panel.locator('#app').getAttribute('data-frame-ms'));
  const channels = await panel.locator('#app').getAttribute('data-channels');
  await panel.locator('#grid').click({ position: { x: 20, y: 20 } });
  // the large view lays the map over the image; the slider sets how much of the image shows
  await panel.locator('#overlay-opacity').fill('30');
  const overlay = await panel.locator('#detail').getAttribute('aria-label');
  if (!/at 30% over the image/.test(overlay)) throw new Error(`the opacity slider did not reach the large view: "${overlay}"`);
  const legend = await panel.locator('#detail-legend-scale').getAttribute('aria-label');
  if (!legend?.startsWith('Colour scale of conv1')) throw new Error(`the large view has no colour legend: "${legend}"`);
  notes.push(`large view: "${overlay}"; legend "${legend}"`);
  await ctx.shot('feature-maps-conv1');
  // issue 16: the status line says what the tiles are sorted by and its frame time once; the
  // caption follows the layer (no "conv1 channel N" after stepping on)
  const timing = (await panel.locator('#render-time').textContent()).trim();
  if (!/sorted by mean activation, labelled #channel mean/.test(timing)) throw new Error(`the status should say the tiles are sorted and labelled by mean: "${timing}"`);
  if ((timing.match(/on screen after/g) ?? []).length > 1) throw new Error(`the status repeats itself: "${timing}"`);
  const caption = (await panel.locator('#detail-caption').textContent()).trim();
  if (!caption.startsWith('conv1 channel')) throw new Error(`after a click on conv1's first tile the caption should name it: "${caption}"`);
  await panel.locator('#next-layer').click();
  const stepped = (await panel.locator('#detail-caption').textContent()).trim();
  if (/conv1 channel/.test(stepped)) throw new Error(`the caption went stale after stepping on: "${stepped}"`);
  await waitDone(panel);
  notes.push(`status "${timing}"; caption "${caption}", after the next layer "${(await panel.locator('#detail-caption').textContent()).trim()}"`);
  notes.push(`feature-maps panel conv1: ${channels} maps of 55x55 drawn in ${drawMs} ms, on screen after ${frameMs} ms`);
  if (channels !== '96') throw new Error(`conv1 of the paper variant should have 96 maps, got ${channels}`);
  if (!(drawMs < 150)) throw new Error(`drawing conv1's maps took ${drawMs} ms (limit 150)`);
  return notes;
}
