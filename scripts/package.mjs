// `npm run package`: a production build and a platform-specific .vsix (sharp's libvips and
// onnxruntime's binary are native, so the package is made for this platform: --target).
//   node scripts/package.mjs [--out file.vsix] [--no-build]
// --no-build packages dist/ as it is (the .vsix test: dist/ stays the development build).
// Prints the size and the largest parts.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(root, `${pkg.name}-${target}-${pkg.version}.vsix`));

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
if (!process.argv.includes('--no-build')) run(process.execPath, ['scripts/build.mjs', '--production']);

// .vscodeignore names onnxruntime's linux/x64 binary; swap in this platform's folder.
const [os, arch] = [process.platform, process.arch];
const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').replace('bin/napi-v6/linux/x64/', `bin/napi-v6/${os}/${arch}/`);
const tmp = mkdtempSync(join(tmpdir(), 'alexnet-vsix-'));
const ignoreFile = join(tmp, 'vscodeignore');
writeFileSync(ignoreFile, ignore);
try {
  run(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out]);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const mb = statSync(out).size / 2 ** 20;
console.log(`\n${out}: ${mb.toFixed(1)} MiB (target ${target})`);
