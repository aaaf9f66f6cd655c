// What users get is what is tested: `npm run package` makes the .vsix, code-server installs it
// with --install-extension (no repository folder involved), and a photo is classified through it.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { classifyAndCheck } from '../classifyFlow.mjs';
import { repoRoot } from '../codeServer.mjs';
import { placePhoto } from '../fixtures.mjs';
import { explorerRow, pickContextMenuItem } from '../workbench.mjs';

export const title = 'Packaged .vsix: install into code-server and classify';

export async function run(ctx) {
  const vsix = ctx.extension.vsix ?? join(ctx.runDir, 'alexnet-explorer.vsix');
  if (!ctx.extension.vsix) {
    const t = Date.now();
    execFileSync(process.execPath, ['scripts/package.mjs', '--out', vsix], { cwd: repoRoot, stdio: 'pipe' });
    ctx.log(`packaged ${(statSync(vsix).size / 2 ** 20).toFixed(1)} MiB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const workspace = ctx.workspaceDir();
  await placePhoto(workspace, 'dog.jpg');
  const { page } = await ctx.openVSCode({ workspace, extension: { vsix } });
  const row = await explorerRow(page, 'dog.jpg');
  await pickContextMenuItem(page, row, /Classify Image/);
  const notes = await classifyAndCheck(ctx, page, { topK: 5 });
  return [`vsix ${(statSync(vsix).size / 2 ** 20).toFixed(1)} MiB`, ...notes];
}
