// Bundles the in-host test suite (test/suite/*.ts) into out/test/suite/*.js for the extension
// host: `vscode` is the host's, mocha and @vscode/test-electron come from node_modules.
// Run after `npm run build` (the tests drive dist/extension.js and dist/engine.js).
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suiteDir = join(root, 'test/suite');
const entryPoints = readdirSync(suiteDir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join('test/suite', f));

await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'test/suite',
  outdir: 'out/test/suite',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'mocha', '@vscode/test-electron', 'sharp'],
});
console.log(`built ${entryPoints.length} suite files into out/test/suite/`);
