// Architecture view: F1 > AlexNet: Show Architecture shows the diagram of the configured model
// (torchvision); clicking conv1 opens its filters (64 RGB tiles); clicking a filter shows it large.
import { runFromPalette } from '../workbench.mjs';
import { waitDone, webviewWith } from '../inspectViews.mjs';
import { placePhoto } from '../fixtures.mjs';

export const title = 'Architecture diagram, click conv1, see its filters';

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  await placePhoto(workspace, 'photo.jpg');
  const { page } = await ctx.openVSCode({ workspace, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
  await runFromPalette(page, 'AlexNet: Show Architecture');
  const arch = await webviewWith(page, 'svg#diagram', { timeoutMs: 120_000 });
  await waitDone(arch);
  await ctx.shot('architecture');
  const blocks = await arch.locator('g.block').count();
  const rows = await arch.locator('table.layers tbody tr').count();
  const total = (await arch.locator('table.layers tfoot td').nth(7).textContent()).trim();
  notes.push(`${blocks} blocks, ${rows} table rows, total parameters ${total}`);
  if (total !== '61,100,840') throw new Error(`torchvision should have 61,100,840 parameters, the view says ${total}`);
  await arch.locator('g.block[data-layer="conv1"] path.front').click();
  const filters = await webviewWith(page, 'canvas#filters', { timeoutMs: 120_000 });
  await waitDone(filters, { until: async () => (await filters.locator('#filters').getAttribute('data-count')) === '64' });
  await filters.locator('#filters').click({ position: { x: 10, y: 10 } });
  const selected = await filters.locator('#filter-large').getAttribute('data-filter');
  await ctx.shot('conv1-filters');
  notes.push(`conv1: 64 filters drawn; filter ${selected} selected (${(await filters.locator('#status').textContent()).trim()})`);
  if (selected !== '0') throw new Error(`clicking the first tile should select filter 0, got ${selected}`);
  return notes;
}
