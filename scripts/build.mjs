// Bundles the three programs of the extension with esbuild:
//   dist/extension.js  the extension host part (CommonJS, `vscode` external)
//   dist/engine.js     the engine child process (no vscode), also the library the CLI uses
//   dist/cli.js        the `alexnet` command-line tool
//   dist/webview/*.js  one browser bundle per webview
// Native and wasm-carrying packages stay external and are shipped as node_modules
// (sharp's N-API addon) or copied next to the bundle (tfjs .wasm files).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const nodeExternal = ['vscode', 'sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'];
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const nodeEntries = {
  extension: 'src/extension/extension.ts',
  engine: 'src/engine/server.ts',
  cli: 'src/cli/main.ts',
  // the device self-test's child process (src/engine/onnx/selfTest.ts starts it)
  deviceSelfTest: 'src/engine/onnx/selfTestChild.ts',
};
const webviewDir = join(root, 'src/webview');
const webviewEntries = Object.fromEntries(
  readdirSync(webviewDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
    .map((d) => [`webview/${d.name}`, `src/webview/${d.name}/main.ts`]),
);

const builds = [
  {
    ...common,
    entryPoints: Object.fromEntries(Object.entries(nodeEntries).filter(([, p]) => existsSync(join(root, p)))),
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: nodeExternal,
  },
  {
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    // Stylesheets are media/*.css, linked by the panels (webviewHtml), not bundled.
    loader: { '.ttf': 'file' },
  },
];

// tfjs-backend-wasm loads its .wasm files at run time: ship them beside the engine bundle.
function copyWasm() {
  const src = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const dst = join(root, 'dist/wasm');
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src)) if (f.endsWith('.wasm')) cpSync(join(src, f), join(dst, f));
  // The codicon font for the webviews.
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  if (existsSync(codicons)) {
    mkdirSync(join(root, 'dist/codicons'), { recursive: true });
    for (const f of ['codicon.css', 'codicon.ttf']) cpSync(join(codicons, f), join(root, 'dist/codicons', f));
  }
}

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  copyWasm();
} else {
  await Promise.all(builds.filter((b) => Object.keys(b.entryPoints).length).map((b) => esbuild.build(b)));
  copyWasm();
}
