// `npm start`: try the extension in a real VS Code with a sample workspace.
//   1. installs dependencies if node_modules is missing, builds (dist/),
//   2. makes .cache/sample-workspace: photos/ (Caffe's BSD-2 example photos from samples/photos,
//      committed with their notice, plus the shared real photos when ../shared/data exists) and
//      shapes-dataset/ (circle/square/triangle, drawn here, ours),
//   3. desktop `code` on the PATH: opens it with --extensionDevelopmentPath=<repo> (waits for the window);
//      otherwise starts the local code-server 4.100.3 on 127.0.0.1 with the extension and prints the URL.
// Options: --code-server (use code-server even if `code` exists), --port N (default 8931 or a free one),
// --no-build (use dist/ as it is).
// State of the code-server route (settings, downloaded weights) is kept in .cache/start-state.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { values: opts } = parseArgs({
  options: {
    'code-server': { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT },
    'no-build': { type: 'boolean', default: false },
  },
});

function step(title) { console.log(`\n== ${title}`); }

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  step('installing dependencies (npm ci)');
  sh('npm', ['ci', '--no-audit', '--no-fund']);
}

if (!opts['no-build']) {
  step('building the extension (npm run build)');
  sh('npm', ['run', 'build']);
}

// Imported after the install: they need sharp and playwright-core from node_modules.
const { drawShapesDataset, sharedImagesDir } = await import('../test/e2e/fixtures.mjs');

step('sample workspace');
const workspace = join(root, '.cache', 'sample-workspace');
const photos = join(workspace, 'photos');
mkdirSync(photos, { recursive: true });
// Real photos we may ship: Caffe's example images (BSD-2, samples/photos/NOTICE.md).
const shipped = join(root, 'samples', 'photos');
for (const name of readdirSync(shipped)) {
  if (!existsSync(join(photos, name))) copyFileSync(join(shipped, name), join(photos, name));
}
// More photos when the shared data folder is here (not redistributed: copied locally only).
const shared = sharedImagesDir();
const wantedPhotos = ['dog.jpg', 'grace_hopper.jpg', 'space_shuttle.jpg', 'laska.png'];
if (shared) {
  for (const name of wantedPhotos) {
    if (existsSync(join(shared, name)) && !existsSync(join(photos, name))) copyFileSync(join(shared, name), join(photos, name));
  }
}
const dataset = join(workspace, 'shapes-dataset');
if (!existsSync(dataset)) await drawShapesDataset(dataset);
writeFileSync(join(workspace, 'README.md'), `# AlexNet Explorer sample workspace

- \`photos/\`: right-click a photo in the Explorer > **AlexNet: Classify Image**. \`cat.jpg\`,
  \`cat_gray.jpg\` and \`fish-bike.jpg\` are Caffe's example images (BSD 2-Clause, see
  \`photos/NOTICE.md\`)${shared ? '; the others were copied from ../shared/data/images (see SOURCES.md there)' : ''}.
  No pretrained weights yet? Choose **Use Untrained Weights** to see the pipeline work, or
  **AlexNet: Download Pretrained Weights** when you are online.
- \`shapes-dataset/\`: a class-per-folder dataset (circle, square, triangle) drawn by scripts/start.mjs, for
  **AlexNet: Train on Folder**; right-click it > **AlexNet: Project Folder** to see every image on one map.
`);
console.log(`${workspace}: photos/ (${readdirSync(photos).length}), shapes-dataset/ (3 classes)`);

if (onPath('code') && !opts['code-server']) {
  step('opening desktop VS Code (close its window or press Ctrl+C to stop)');
  const child = spawn('code', ['--new-window', '--wait', `--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit' });
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (process.platform === 'linux' && existsSync('/usr/bin/dpkg')) {
    step('system packages for code-server (Debian)');
    sh('bash', ['scripts/system-packages.sh', 'code-server']);
  }
  const { startCodeServer } = await import('../test/e2e/codeServer.mjs');
  step('starting code-server (the first run installs it into .cache/code-server: about 1-3 minutes)');
  const port = opts.port ? Number(opts.port) : await portOr(8931);
  const server = await startCodeServer({
    workspace,
    extension: { folder: root },
    runDir: join(root, '.cache', 'start-state'),
    port,
    log: (m) => console.log(`[code-server] ${m}`),
  });
  console.log(`\nAlexNet Explorer is running in VS Code (code-server 4.100.3). Open:\n\n    ${server.folderUrl()}\n`);
  console.log(`code-server log: ${server.logFile}\nPress Ctrl+C to stop.`);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await server.stop({ keep: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { code, signal } = await server.exited;
  if (stopping) await new Promise(() => {}); // stop() exits
  console.error(`code-server exited (${code ?? signal}); see ${server.logFile}`);
  process.exit(1);
}

/** `preferred` when it is free on 127.0.0.1, else any free port. */
function portOr(preferred) {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => {
      const any = createServer();
      any.listen(0, '127.0.0.1', () => { const { port } = any.address(); any.close(() => resolvePort(port)); });
    });
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolvePort(preferred)));
  });
}
