// F1 > "AlexNet: Classify Image" > type the photo's path into the (simple) file dialog, with
// alexnet.topK set to 3 in the user settings: the webview must show 3 rows.
import { classifyAndCheck } from '../classifyFlow.mjs';
import { placePhoto } from '../fixtures.mjs';
import { explorerRow, runFromPalette, answerFileDialog } from '../workbench.mjs';

export const title = 'Command palette + file dialog, alexnet.topK = 3';

export async function run(ctx) {
  const workspace = ctx.workspaceDir();
  const photo = await placePhoto(workspace, 'photo.jpg');
  const { page } = await ctx.openVSCode({ workspace, settings: { 'alexnet.topK': 3 } });
  await explorerRow(page, 'photo.jpg');
  await ctx.shot('workbench');
  await runFromPalette(page, 'AlexNet: Classify Image', { onListed: () => ctx.shot('palette') });
  ctx.log('command picked from the palette');
  await answerFileDialog(page, photo.path, { onTyped: () => ctx.shot('file-dialog') });
  ctx.log('file dialog answered');
  return classifyAndCheck(ctx, page, { topK: 3 });
}
