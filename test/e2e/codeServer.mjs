// A real VS Code for tests and demos on offline machines: code-server 4.100.3 (VS Code 1.100.3,
// Node extension host) installed from npm into .cache/code-server/<version>, started on 127.0.0.1
// with throwaway user-data/extensions/XDG folders and our extension loaded.
//
// Why each install step exists (see /work/shared/recipes/real-vscode-e2e.md for the failures):
//   - npm 11 blocks dependency install scripts unless allowScripts approves them, and an
//     allow-scripts *config* (cli, env or .npmrc) is inherited by code-server's nested
//     `npm install` runs, which then refuse it (EALLOWSCRIPTS). So the outer install denies
//     code-server's own postinstall, we write allowScripts into the nested package.json files,
//     and run postinstall.sh ourselves with the env npm would have given it.
//   - code-server 4.100.3 needs Node 20 (newer code-server needs Node 24).
//   - node-pty's build calls `npx node-gyp`: npm_config_yes=true (the user npmrc says yes=false).
//   - kerberos compiles from source (prebuilds come from GitHub): needs libkrb5-dev.
//   - @vscode/ripgrep downloads rg from GitHub: we seed its download cache with the system rg.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync, symlinkSync,
  cpSync, openSync, closeSync, readdirSync, statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, arch as osArch } from 'node:os';
import { dirname, join, resolve, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder that holds the local code-server install (git-ignored via .cache/). */
export function codeServerHome(root = repoRoot) {
  return join(root, '.cache', 'code-server', CODE_SERVER_VERSION);
}

function codeServerPackageDir(home) {
  return join(home, 'node_modules', 'code-server');
}

/** The Node entry point of the installed code-server (run it with process.execPath). */
export function codeServerEntry(home = codeServerHome()) {
  return join(codeServerPackageDir(home), 'out', 'node', 'entry.js');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

function run(cmd, args, { cwd, env, log, label }) {
  log(`$ ${label ?? [cmd, ...args].join(' ')}   (in ${cwd})`);
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 << 20 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    throw new Error(`${label ?? cmd} failed (exit ${r.status ?? r.signal}):\n${out.split('\n').slice(-60).join('\n')}`);
  }
  return out;
}

function preflight() {
  const problems = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) problems.push(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
  if (process.platform !== 'linux') problems.push('the local code-server install is only scripted for Linux');
  if (!existsSync('/usr/include/gssapi/gssapi.h')) problems.push('kerberos needs gssapi headers: apt-get install libkrb5-dev');
  for (const tool of ['make', 'g++', 'python3']) {
    if (!which(tool)) problems.push(`native builds need ${tool}: apt-get install build-essential python3`);
  }
  if (!which('rg')) problems.push('no ripgrep binary to seed @vscode/ripgrep with (GitHub is unreachable): apt-get install ripgrep');
  if (problems.length) throw new Error(`cannot install code-server:\n  - ${[...new Set(problems)].join('\n  - ')}`);
}

/** Names of the packages in a shrinkwrap that carry install scripts. */
function packagesWithInstallScripts(shrinkwrapPath) {
  const wrap = JSON.parse(readFileSync(shrinkwrapPath, 'utf8'));
  const names = new Set();
  for (const [path, entry] of Object.entries(wrap.packages ?? {})) {
    if (path && entry.hasInstallScript) names.add(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  return [...names];
}

function approveNestedScripts(dir) {
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  pkg.allowScripts = Object.fromEntries(packagesWithInstallScripts(join(dir, 'npm-shrinkwrap.json')).map((n) => [n, true]));
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  return Object.keys(pkg.allowScripts);
}

/** Puts the system rg where @vscode/ripgrep's postinstall looks for its cached download. */
function seedRipgrepCache(vscodeDir, tmp, log) {
  const wrap = JSON.parse(readFileSync(join(vscodeDir, 'npm-shrinkwrap.json'), 'utf8'));
  const rgPackageVersion = wrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!rgPackageVersion) return;
  // The rg release @vscode/ripgrep 1.15.x pins (lib/postinstall.js VERSION); Debian 12 ships rg 13.0.0 too.
  const rgRelease = 'v13.0.0-10';
  const target = osArch() === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
  const cacheDir = join(tmp, `vscode-ripgrep-cache-${rgPackageVersion}`);
  const tarball = join(cacheDir, `ripgrep-${rgRelease}-${target}.tar.gz`);
  if (existsSync(tarball)) return;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(tmp, 'rg-'));
  cpSync(which('rg'), join(staging, 'rg'));
  run('tar', ['czf', tarball, '-C', staging, 'rg'], { cwd: tmp, env: process.env, log });
  rmSync(staging, { recursive: true, force: true });
  log(`seeded ${tarball} with ${which('rg')}`);
}

function isInstalled(home) {
  return existsSync(join(home, '.installed')) && existsSync(codeServerEntry(home));
}

function lockPath(home) {
  return `${home}.lock`;
}

async function withInstallLock(home, log, fn) {
  const lock = lockPath(home);
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try { holder = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being created */ }
      let alive = false;
      if (holder) { try { process.kill(holder, 0); alive = true; } catch { alive = false; } }
      if (holder && !alive) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lock}`);
      log(`another process (${holder || '?'}) is installing code-server; waiting...`);
      await sleep(3000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Installs code-server into codeServerHome() unless it is there already (a quick check then).
 * Returns the entry script path. Throws with the failing step's output tail.
 */
export async function ensureCodeServer({ home = codeServerHome(), log = (m) => console.error(`[code-server] ${m}`) } = {}) {
  if (isInstalled(home)) return codeServerEntry(home);
  return withInstallLock(home, log, async () => {
    if (isInstalled(home)) return codeServerEntry(home);
    preflight();
    const started = Date.now();
    log(`installing code-server ${CODE_SERVER_VERSION} into ${home} (about a minute; native modules build from source)`);
    rmSync(home, { recursive: true, force: true });
    const tmp = join(home, 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(home, 'package.json'), `${JSON.stringify({
      name: 'alexnet-explorer-code-server',
      private: true,
      description: 'Throwaway install of code-server for tests (made by test/e2e/codeServer.mjs)',
      dependencies: { 'code-server': CODE_SERVER_VERSION },
      // code-server's own postinstall is run below, after its nested package.json files are approved.
      allowScripts: { argon2: true, 'code-server': false },
    }, null, 2)}\n`);
    const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim();
    const env = {
      ...process.env,
      TMPDIR: tmp,
      npm_config_yes: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    // An inherited allow-scripts config would make the nested installs fail with EALLOWSCRIPTS.
    delete env.npm_config_allow_scripts;
    delete env.NPM_CONFIG_ALLOW_SCRIPTS;
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: home, env, log });

    const pkgDir = codeServerPackageDir(home);
    const vscodeDir = join(pkgDir, 'lib', 'vscode');
    const approved = [...approveNestedScripts(vscodeDir), ...approveNestedScripts(join(vscodeDir, 'extensions'))];
    log(`approved install scripts in code-server's nested installs: ${[...new Set(approved)].join(', ')}`);
    seedRipgrepCache(vscodeDir, tmp, log);
    run('sh', ['./postinstall.sh'], {
      cwd: pkgDir,
      env: {
        ...env,
        npm_config_user_agent: `npm/${npmVersion} node/${process.version} ${process.platform} ${process.arch} workspaces/false`,
        npm_config_unsafe_perm: 'true',
      },
      log,
      label: 'code-server postinstall.sh',
    });

    const mustExist = [
      codeServerEntry(home),
      join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
      join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
      join(vscodeDir, 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node'),
    ];
    const missing = mustExist.filter((p) => !existsSync(p));
    if (missing.length) throw new Error(`code-server install is incomplete, missing:\n  ${missing.join('\n  ')}`);
    // XDG_* point into tmp: code-server writes a default config.yaml on every start.
    const versionEnv = { ...env, XDG_CONFIG_HOME: tmp, XDG_DATA_HOME: tmp, XDG_CACHE_HOME: tmp };
    const versionOut = run(process.execPath, [codeServerEntry(home), '--version'], { cwd: home, env: versionEnv, log });
    const version = versionOut.split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l))?.trim();
    if (!version?.startsWith(CODE_SERVER_VERSION)) throw new Error(`unexpected code-server --version output:\n${versionOut}`);
    writeFileSync(join(home, '.installed'), `${JSON.stringify({ version, node: process.version, at: new Date().toISOString() })}\n`);
    rmSync(tmp, { recursive: true, force: true });
    log(`installed ${version} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return codeServerEntry(home);
  });
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** The folder name VS Code gives an installed extension: publisher.name-version. */
export function extensionFolderName(extensionPath) {
  const pkg = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
}

export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'files.simpleDialog.enable': true,
  'window.dialogStyle': 'custom',
};

/**
 * Starts code-server with fresh state.
 * @param {object} o
 * @param {string} [o.workspace] folder to open (also returned as folderUrl)
 * @param {{folder?: string, vsix?: string, mode?: 'link'|'copy'}} [o.extension]
 *        folder: an unpacked extension (default: the repo root), linked (default) or copied into
 *        extensions-dir as publisher.name-version; vsix: installed with --install-extension instead.
 * @param {Record<string, unknown>} [o.settings] user settings on top of quietSettings
 * @param {Record<string, string>} [o.env] extra env for code-server (reaches the extension host)
 * @param {string} [o.runDir] where the state goes (default: a new temp folder, deleted by stop())
 * @param {boolean} [o.workspaceTrust] keep Workspace Trust on: a folder opened for the first time is then
 *        untrusted (Restricted Mode), since no prompt is shown (default off, as for every other scenario)
 * @param {number} [o.port] default: a free one
 * @param {(m: string) => void} [o.log]
 */
export async function startCodeServer(o = {}) {
  const log = o.log ?? ((m) => console.error(`[code-server] ${m}`));
  const entry = await ensureCodeServer({ log });
  const ownRunDir = !o.runDir;
  const runDir = o.runDir ?? mkdtempSync(join(tmpdir(), 'alexnet-code-server-'));
  const dirs = {
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    xdgConfig: join(runDir, 'xdg', 'config'),
    xdgData: join(runDir, 'xdg', 'data'),
    xdgCache: join(runDir, 'xdg', 'cache'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  // A kept runDir (npm start) keeps the user's own settings; a fresh one gets ours.
  const settingsFile = join(dirs.userData, 'User', 'settings.json');
  if (!existsSync(settingsFile) || o.settings) {
    let existing = {};
    try { existing = JSON.parse(readFileSync(settingsFile, 'utf8')); } catch { /* none yet, or JSONC we do not parse */ }
    const trust = o.workspaceTrust
      ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.emptyWindow': false }
      : {};
    writeFileSync(settingsFile, `${JSON.stringify({ ...quietSettings, ...existing, ...(o.settings ?? {}), ...trust }, null, 2)}\n`);
  }

  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    ...(o.env ?? {}),
  };
  // code-server reads these as config; a developer's own must not leak into tests.
  for (const k of ['PASSWORD', 'HASHED_PASSWORD', 'VSCODE_PROXY_URI', 'CS_DISABLE_FILE_DOWNLOADS']) delete env[k];
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  const ext = o.extension ?? { folder: repoRoot };
  let extensionDir = null;
  if (ext.vsix) {
    const t = Date.now();
    run(process.execPath, [entry, ...common, '--install-extension', resolve(ext.vsix)], { cwd: runDir, env, log });
    log(`installed ${ext.vsix} in ${Date.now() - t} ms`);
    extensionDir = readdirSync(dirs.extensions).map((n) => join(dirs.extensions, n)).find((p) => statSync(p).isDirectory()) ?? null;
  } else if (ext.folder) {
    const src = resolve(ext.folder);
    extensionDir = join(dirs.extensions, extensionFolderName(src));
    rmSync(extensionDir, { recursive: true, force: true }); // a link or copy left by an earlier start
    if (ext.mode === 'copy') {
      const skip = new Set(['.git', '.cache', 'test-results', 'tmp', '.alexnet']);
      cpSync(src, extensionDir, { recursive: true, filter: (p) => !skip.has(p.slice(src.length + 1).split('/')[0]) });
    } else {
      symlinkSync(src, extensionDir, 'dir');
    }
  }

  const port = o.port ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(runDir, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  const args = [
    entry, ...common,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(o.workspace ? [resolve(o.workspace)] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: runDir, env, stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  let exited = null;
  const exitedPromise = new Promise((r) => child.on('exit', (code, signal) => { exited = { code, signal }; r(exited); }));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); log ${logFile}:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      killGroup(child.pid, 'SIGKILL');
      throw new Error(`code-server did not answer /healthz within 60 s; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(200);
  }

  let stopped = false;
  return {
    url,
    port,
    pid: child.pid,
    runDir,
    logFile,
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    extensionDir,
    workspace: o.workspace ? resolve(o.workspace) : null,
    /** Resolves with {code, signal} when code-server exits. */
    exited: exitedPromise,
    /** URL that opens a folder in the workbench (default: the workspace given at start). */
    folderUrl(folder = o.workspace, extraQuery = {}) {
      const q = new URLSearchParams({ ...(folder ? { folder: resolve(folder) } : {}), ...extraQuery });
      return `${url}/?${q}`;
    },
    /** The remote extension host's own log and our extension's output-channel logs written so far. */
    extensionHostLogs() {
      return findFiles(join(dirs.userData, 'logs'), (p) => /\/exthost\d*\/(remoteexthost\.log$|[^/]*alexnet[^/]*\/)/i.test(p));
    },
    async stop({ keep = false } = {}) {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        killGroup(child.pid, 'SIGTERM');
        const t = Date.now() + 5000;
        while (!exited && Date.now() < t) await sleep(100);
        if (!exited) killGroup(child.pid, 'SIGKILL');
      }
      if (ownRunDir && !keep) rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); } catch { try { process.kill(pid, signal); } catch { /* gone */ } }
}

function tail(file, lines = 40) {
  try { return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

function findFiles(dir, pred, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findFiles(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

// `node test/e2e/codeServer.mjs install` installs (or checks) code-server and prints its entry path.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2] ?? 'install';
  if (cmd !== 'install') {
    console.error('usage: node test/e2e/codeServer.mjs install');
    process.exit(2);
  }
  ensureCodeServer().then((p) => console.log(p), (e) => { console.error(e.message); process.exit(1); });
}
