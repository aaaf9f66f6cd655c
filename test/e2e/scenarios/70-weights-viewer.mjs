// The weights viewer (custom editor): a click on a .pth in the Explorer opens it; the verdict says
// torchvision, every tensor has a row with its histogram, conv1's filters are drawn; Compare with...
// against a copy gives zero differences on every layer. A safetensors that is not an AlexNet still
// gets its tensor table and a reason. The architecture diagram is drawn, each block naming its key;
// a click on a block, or Tab/arrows/Enter, shows that layer's tensors from the file (issue 15).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerFileDialog, explorerRow } from '../workbench.mjs';
import { waitDone, webviewWith } from '../inspectViews.mjs';

export const title = 'Weights viewer: click a .pth, see its tensors, conv1 and a comparison';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'parity', 'torchvision.pth');

/** A two-tensor safetensors file that is no AlexNet. */
function writeOtherSafetensors(path) {
  const header = JSON.stringify({ 'encoder.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] }, 'encoder.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] } });
  const padded = header + ' '.repeat((8 - ((8 + header.length) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  writeFileSync(path, Buffer.concat([len, Buffer.from(padded), Buffer.from(new Float32Array([1, 2, 3, 0, 0, 4, 0.5, 0]).buffer)]));
}

export async function run(ctx) {
  const notes = [];
  const workspace = ctx.workspaceDir();
  copyFileSync(FIXTURE, join(workspace, 'small.pth'));
  copyFileSync(FIXTURE, join(workspace, 'copy.pth'));
  writeOtherSafetensors(join(workspace, 'other.safetensors'));
  const { page } = await ctx.openVSCode({ workspace, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });

  // The custom editor is known once the extension host has read our package.json: a click before
  // that opens the binary-file notice instead. The status bar item says the extension is up.
  await page.locator('.statusbar-item', { hasText: 'AlexNet' }).first().waitFor({ state: 'visible', timeout: 120_000 });
  await (await explorerRow(page, 'small.pth')).click();
  const viewer = await webviewWith(page, 'table.tensors', { timeoutMs: 120_000 });
  await waitDone(viewer);
  await ctx.shot('viewer');
  const variant = await viewer.locator('#verdict').getAttribute('data-variant');
  const rows = await viewer.locator('table.tensors tbody tr').count();
  const layers = await viewer.locator('table.layers tbody tr').count();
  const conv1 = await viewer.locator('canvas#conv1').count();
  // issue 15: the architecture diagram bound to these weights, each block naming its file key
  const blocks = await viewer.locator('svg#diagram g.block').count();
  const fc6 = await viewer.locator('svg#diagram g.block[data-layer="fc6"]').getAttribute('aria-label');
  if (blocks !== 14) throw new Error(`the diagram should draw torchvision's 14 blocks, it has ${blocks}`);
  if (!fc6?.includes('file key classifier.1.weight')) throw new Error(`fc6's block should name its key in the file: "${fc6}"`);
  notes.push(`verdict ${variant}, ${rows} tensors, ${layers} layers, conv1 canvas ${conv1}, diagram of ${blocks} blocks (fc6: "${fc6}")`);
  if (variant !== 'torchvision') throw new Error(`expected the torchvision verdict, got ${variant}`);
  if (rows !== 16) throw new Error(`expected 16 tensor rows, got ${rows}`);
  if (conv1 !== 1) throw new Error('conv1 filters not drawn');
  const first = (await viewer.locator('table.tensors tbody tr').first().locator('td').first().textContent()).trim();
  if (first !== 'features.0.weight') throw new Error(`first tensor should be features.0.weight, got ${first}`);

  // A click on fc6's block shows its two tensors from the file, marked in the tensor table too.
  await viewer.locator('svg#diagram g.block[data-layer="fc6"]').click();
  const detail = viewer.locator('#layer-detail');
  await detail.locator('table.layer-tensors').waitFor({ state: 'visible', timeout: 5000 });
  const fc6Rows = await detail.locator('table.layer-tensors tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.name));
  const marked = await viewer.locator('table.tensors tbody tr.selected').evaluateAll((trs) => trs.map((tr) => tr.dataset.name));
  if (fc6Rows.join(',') !== 'classifier.1.weight,classifier.1.bias') throw new Error(`fc6's detail should list classifier.1.weight and .bias, got ${fc6Rows.join(',')}`);
  if (marked.join(',') !== fc6Rows.join(',')) throw new Error(`the tensor table should mark fc6's rows, it marks ${marked.join(',')}`);
  if ((await viewer.locator('svg#diagram g.block.selected').getAttribute('data-layer')) !== 'fc6') throw new Error("fc6's block is not outlined as the chosen one");
  // By keyboard: Tab reaches the diagram (after the buttons), the arrow keys step, Enter opens.
  await viewer.locator('vscode-button[data-action="compare"]').focus();
  let onBlock = '';
  for (let i = 0; i < 8 && !onBlock; i++) {
    await page.keyboard.press('Tab');
    onBlock = await viewer.locator('body').evaluate(() => document.activeElement?.closest?.('g.block')?.getAttribute('data-layer') ?? '');
  }
  if (!onBlock) throw new Error('Tab from the buttons never reached a block of the diagram');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight'); // pool1
  await page.keyboard.press('ArrowRight'); // conv2
  await page.keyboard.press('Enter');
  await viewer.locator('#layer-detail:not([data-layer="fc6"])').waitFor({ state: 'visible', timeout: 5000 });
  const byKey = await detail.getAttribute('data-layer');
  const keyRows = await detail.locator('table.layer-tensors tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.name));
  const pressed = await viewer.locator(`svg#diagram g.block[data-layer="${byKey}"]`).getAttribute('aria-pressed');
  if (byKey !== 'conv2' || pressed !== 'true') throw new Error(`Home, Right, Right, Enter should open conv2 (aria-pressed), got ${byKey} (${pressed})`);
  if (keyRows.join(',') !== 'features.3.weight,features.3.bias') throw new Error(`conv2's detail should list features.3.weight and .bias, got ${keyRows.join(',')}`);
  await ctx.shot('layer-detail');
  notes.push(`fc6 clicked: ${fc6Rows.join(', ')} shown and marked; by keyboard (Tab from the buttons to ${onBlock}, Home, Right, Right, Enter): ${byKey} with ${keyRows.join(', ') || 'no tensors'}`);

  await viewer.locator('vscode-button[data-action="compare"]').click();
  await answerFileDialog(page, join(workspace, 'copy.pth'));
  await waitDone(viewer, { until: async () => (await viewer.locator('table.comparison tbody tr').count()) > 0 });
  await ctx.shot('comparison');
  const diffs = await viewer.locator('table.comparison tbody tr td:nth-child(4)').allTextContents();
  notes.push(`comparison: ${diffs.length} layers, max |diff| ${[...new Set(diffs)].join(', ')}`);
  if (diffs.length !== 16 || diffs.some((d) => d.trim() !== '0')) throw new Error(`a copy should differ by 0 everywhere: ${diffs.join(', ')}`);

  await (await explorerRow(page, 'other.safetensors')).click();
  const other = await webviewWith(page, '#verdict[data-variant="none"]', { timeoutMs: 120_000 });
  await waitDone(other);
  await ctx.shot('not-alexnet');
  const otherRows = await other.locator('table.tensors tbody tr').count();
  const reason = (await other.locator('#verdict').textContent()).trim();
  notes.push(`other.safetensors: ${otherRows} tensors; "${reason.slice(0, 90)}…"`);
  if (otherRows !== 2) throw new Error(`expected 2 tensor rows for other.safetensors, got ${otherRows}`);
  return notes;
}
