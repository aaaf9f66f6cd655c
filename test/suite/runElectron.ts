// Runs the in-host suite in desktop VS Code (downloaded by @vscode/test-electron, so it needs
// network access to update.code.visualstudio.com). Build first:
//   npm run build && node scripts/build-suite.mjs && node out/test/suite/runElectron.js
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  const userData = mkdtempSync(join(tmpdir(), 'alexnet-vscode-'));
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(__dirname, 'index.js'),
    launchArgs: [join(root, 'test/suite/fixtures'), '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
