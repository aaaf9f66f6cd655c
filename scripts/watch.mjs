// `npm run watch`: esbuild rebuilds the bundles on every save (scripts/build.mjs --watch) while
// `tsc -b --watch` typechecks every program; Ctrl+C stops both.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const children = [
  spawn(process.execPath, [join(root, 'scripts/build.mjs'), '--watch'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, [tsc, '-b', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
];
const stop = () => {
  for (const c of children) c.kill();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// One of them ending (an error at start-up) ends the watch.
for (const c of children) c.on('exit', (code) => {
  stop();
  process.exitCode = code ?? 0;
});
