// Right-click a photo in the Explorer > "AlexNet: Classify Image" > "Use Untrained",
// then check the result webview: topK (default 5) rows, probabilities in [0,1] summing to <= 1.
import { classifyAndCheck } from '../classifyFlow.mjs';
import { placePhoto } from '../fixtures.mjs';
import { explorerRow, pickContextMenuItem } from '../workbench.mjs';

export const title = 'Explorer context menu: classify a photo';

export async function run(ctx) {
  const workspace = ctx.workspaceDir();
  const photo = await placePhoto(workspace, 'dog.jpg');
  ctx.log(`photo: ${photo.source}`);
  const { page } = await ctx.openVSCode({ workspace });
  const row = await explorerRow(page, 'dog.jpg');
  await ctx.shot('workbench');
  const attempts = await pickContextMenuItem(page, row, /Classify Image/, {
    onAttempt: async (n, found) => { if (found || n === 1) await ctx.shot(`context-menu-try${n}`); },
  });
  ctx.log(`context menu item found on try ${attempts}`);
  return classifyAndCheck(ctx, page, { topK: 5 });
}
