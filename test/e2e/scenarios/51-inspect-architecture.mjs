// Architecture view, by keyboard alone: F1 > AlexNet: Show Architecture at 1600x1000; the diagram
// fits the panel (no sideways scroll, fc8 and prob on screen) and no two labels overlap as drawn;
// in a half-width panel it wraps, still without overlaps, and the table keeps its columns. Then
// Tab to the first block, Enter opens conv1's filters, Tab to the grid, arrow keys select a
// filter: the large view and the highlight follow. No mouse click anywhere.
import { runFromPalette } from '../workbench.mjs';
import { waitDone, webviewWith } from '../inspectViews.mjs';
import { placePhoto } from '../fixtures.mjs';
import { afterFrames, waitUntil } from '../waitFor.mjs';

export const title = 'Architecture diagram fits the panel; keyboard only: conv1, its filters, a filter selected';

/** In the page: what sticks out sideways, and which drawn labels overlap a label or a box. */
function layoutProblems() {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth})`);
  const svg = document.querySelector('svg#diagram');
  const right = svg.getBoundingClientRect().right;
  if (right > doc.clientWidth + 1) out.push(`the diagram ends at ${right} of ${doc.clientWidth}`);
  const texts = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }));
  const boxes = [...svg.querySelectorAll('g.block')].map((g) => ({ t: g.dataset.layer, r: [...g.querySelectorAll('path')].map((p) => p.getBoundingClientRect()).reduce((a, b) => ({ left: Math.min(a.left, b.left), top: Math.min(a.top, b.top), right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) })) }));
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) if (meet(a.r, b.r)) out.push(`"${a.t}" overlaps "${b.t}"`);
    for (const b of boxes) if (meet(a.r, b.r)) out.push(`"${a.t}" overlaps the ${b.t} box`);
    if (a.r.right > doc.clientWidth + 1) out.push(`"${a.t}" is cut off`);
  });
  return out;
}

async function checkLayout(arch, label, windowWidth) {
  // After the window is resized the workbench lays the webview out anew, then the diagram is drawn
  // again (a ResizeObserver): check it once the webview fits the window, the diagram says it was
  // laid out for its container's present width, and that held over two painted frames.
  await waitUntil(async () => {
    const drawnFor = () => arch.locator('.arch-wrap').first().evaluate((w, max) => window.innerWidth <= max
      && Number(w.querySelector('svg#diagram')?.getAttribute('data-drawn-width')) === Math.floor(w.clientWidth), windowWidth);
    if (!(await drawnFor())) return false;
    await afterFrames(arch, 2);
    return drawnFor();
  }, {
    timeoutMs: 20_000, what: `${label}: the diagram drawn for its container's width`,
    describe: () => arch.locator('.arch-wrap').first().evaluate((w) => `drawn for ${w.querySelector('svg#diagram')?.getAttribute('data-drawn-width')}, container ${w.clientWidth}, webview ${window.innerWidth}`),
  });
  const problems = await arch.locator('body').evaluate(layoutProblems);
  if (problems.length) throw new Error(`${label}: ${problems.slice(0, 8).join('; ')}`);
  return arch.locator('svg#diagram').getAttribute('data-rows');
}

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  await placePhoto(workspace, 'photo.jpg');
  const { page } = await ctx.openVSCode({ workspace, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
  await page.setViewportSize({ width: 1600, height: 1000 });
  await runFromPalette(page, 'AlexNet: Show Architecture');
  const arch = await webviewWith(page, 'svg#diagram', { timeoutMs: 120_000 });
  await waitDone(arch);
  const rowsWide = await checkLayout(arch, 'full width', 1600);
  await ctx.shot('architecture');
  for (const layer of ['fc8', 'prob']) if (!(await arch.locator(`g.block[data-layer="${layer}"]`).isVisible())) throw new Error(`${layer} is not on screen`);
  const blocks = await arch.locator('g.block').count();
  const rows = await arch.locator('table.layers tbody tr').count();
  const total = (await arch.locator('table.layers tfoot td.total-params').textContent()).trim();
  notes.push(`full width: ${blocks} blocks in ${rowsWide} row(s), ${rows} table rows, total parameters ${total}`);
  if (total !== '61,100,840') throw new Error(`torchvision should have 61,100,840 parameters, the view says ${total}`);

  // Half width: the window at 800 px.
  await page.setViewportSize({ width: 800, height: 1000 });
  const rowsHalf = await checkLayout(arch, 'half width', 800);
  const headers = await arch.locator('table.layers thead th').evaluateAll((ths) => ths.map((t) => ({ text: t.textContent, lines: Math.round(t.getBoundingClientRect().height / parseFloat(globalThis.getComputedStyle(t).lineHeight || '16')) })));
  const wrapped = headers.filter((x) => x.lines > 1).map((x) => x.text);
  if (wrapped.length) throw new Error(`table headers wrap at half width: ${wrapped.join(', ')}`);
  await ctx.shot('architecture-half-width');
  notes.push(`half width: ${rowsHalf} rows, no overlaps, ${headers.length} table columns on one line each`);
  await page.setViewportSize({ width: 1600, height: 1000 });

  // Keyboard only from here. Focus is in the webview after it opened; Tab reaches conv1, the first block.
  await arch.locator('body').evaluate(() => document.activeElement?.blur?.());
  let focused = '';
  for (let i = 0; i < 6 && focused !== 'conv1'; i++) {
    await page.keyboard.press('Tab');
    focused = await arch.locator('body').evaluate(() => document.activeElement?.getAttribute?.('data-layer') ?? document.activeElement?.tagName ?? '');
  }
  if (focused !== 'conv1') throw new Error(`Tab should reach the conv1 block, focus is on ${focused}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  focused = await arch.locator('body').evaluate(() => document.activeElement?.getAttribute?.('data-layer'));
  if (focused !== 'conv1') throw new Error(`ArrowRight then ArrowLeft should come back to conv1, focus is on ${focused}`);
  await page.keyboard.press('Enter');
  const filters = await webviewWith(page, 'canvas#filters', { timeoutMs: 120_000 });
  await waitDone(filters, { until: async () => (await filters.locator('#filters').getAttribute('data-count')) === '64' });
  if (await filters.locator('#filter-large').isVisible()) throw new Error('the large view shows an empty box before a filter is selected');
  let onGrid = false;
  for (let i = 0; i < 12 && !onGrid; i++) {
    await page.keyboard.press('Tab');
    onGrid = await filters.locator('body').evaluate(() => document.activeElement?.id === 'filters');
  }
  if (!onGrid) throw new Error('Tab never reached the filter grid');
  await page.keyboard.press('ArrowRight'); // selects filter 0
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const selected = await filters.locator('#filter-large').getAttribute('data-filter');
  const cols = Number(await filters.locator('#filters').evaluate((c) => c.getAttribute('aria-label').match(/in (\d+) columns/)[1]));
  if (Number(selected) !== 1 + cols) throw new Error(`Right, Right, Down on a ${cols}-column grid should select filter ${1 + cols}, got ${selected}`);
  const box = await filters.locator('#tile-highlight').boundingBox();
  const grid = await filters.locator('#filters').boundingBox();
  if (!box || box.y < grid.y + 1) throw new Error('the selected tile is not highlighted on the second row');
  await ctx.shot('conv1-filters');
  notes.push(`keyboard: Tab to conv1, Enter, Tab to the grid, Right Right Down: filter ${selected} selected and outlined (${(await filters.locator('#detail-meta').textContent()).trim()})`);
  return notes;
}
