// Runs an in-host Mocha suite inside code-server's (Node) extension host: the offline
// replacement for @vscode/test-electron / @vscode/test-cli, which need to download VS Code.
//
//   node test/e2e/run-mocha-in-exthost.mjs [--tests out/test/suite/index.js] [--extension <dir>]
//        [--workspace <dir>] [--grep <re>] [--timeout <s>] [--no-build] [--keep]
//
// The workbench is opened with ?payload=[[extensionDevelopmentPath, ...],[extensionTestsPath, ...]]
// (vscode-remote:// URIs); the extension host requires the tests file and calls its run(); when
// that settles the workbench calls window.codeAutomationExit(0|1), and the host's console
// (the mocha reporter) arrives through window.codeAutomationLog. Exit code = the suite's.
// Defaults: tests = $ALEXNET_EXTHOST_TESTS or the first built entry found (see suiteEntryCandidates),
// built first with scripts/build-suite.mjs when that script exists; workspace = test/suite/fixtures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, parseArgs } from 'node:util';
import { repoRoot, startCodeServer } from './codeServer.mjs';
import { launchBrowser } from './browser.mjs';

/** Where the suite's built run() entry may be, most likely first. */
export const suiteEntryCandidates = [
  'out/test/suite/index.js',
  'dist-test/test/suite/index.js',
  'dist-test/suite/index.js',
  'dist-test/index.js',
  'dist/test/suite/index.js',
];

/** Builds the suite if the repo has a script for it; returns that script's output (or null). */
export function buildSuite(root = repoRoot) {
  const script = join(root, 'scripts', 'build-suite.mjs');
  if (!existsSync(script)) return null;
  const r = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build-suite.mjs failed:\n${r.stdout}${r.stderr}`);
  return `${r.stdout}${r.stderr}`.trim();
}

/** Absolute path of the suite entry, or null with the places looked at. */
export function findSuiteEntry(root = repoRoot, explicit = process.env.ALEXNET_EXTHOST_TESTS) {
  if (explicit) return existsSync(resolve(root, explicit)) ? resolve(root, explicit) : null;
  return suiteEntryCandidates.map((p) => join(root, p)).find((p) => existsSync(p)) ?? null;
}

/** The ?payload= value that makes the workbench run extension tests in the remote host. */
export function mochaPayload(server, { extensionPath, testsPath }) {
  const authority = new URL(server.url).host;
  const remote = (p) => `vscode-remote://${authority}${resolve(p)}`;
  return JSON.stringify([
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
  ]);
}

/**
 * Wires the page's automation hooks; call before navigating.
 * @param {import('playwright-core').Page} page
 * @param {(line: string) => void} onLine the extension host's console output, line by line
 * @returns {Promise<{exitCode: Promise<number>}>} (wrapped so that awaiting the setup does not wait for the exit)
 */
export async function attachAutomationBridge(page, onLine) {
  let settle;
  const exitCode = new Promise((r) => { settle = r; });
  await page.exposeFunction('codeAutomationExit', (code) => { settle(Number(code)); });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // args are the host's console.log arguments (mocha passes printf-style format strings).
    const text = format(...(Array.isArray(args) ? args : [args]));
    for (const line of text.replace(/\n$/, '').split('\n')) onLine(type === 'error' ? `[stderr] ${line}` : line);
  });
  return { exitCode };
}

/**
 * Runs the suite once in a fresh code-server + browser.
 * @returns {Promise<{exitCode: number, output: string[], results: object|null, ms: number}>}
 */
export async function runMochaInExtHost({
  testsPath, extensionPath = repoRoot, workspace = join(repoRoot, 'test', 'suite', 'fixtures'),
  grep, timeoutMs = 600_000, env = {}, runDir, onLine = (l) => console.log(l), log = (m) => console.error(m),
  openVSCode, workspaceTrust = false,
} = {}) {
  const t0 = Date.now();
  const ownDir = !runDir;
  runDir ??= mkdtempSync(join(tmpdir(), 'alexnet-exthost-mocha-'));
  mkdirSync(runDir, { recursive: true });
  const resultsFile = join(runDir, 'mocha-results.json');
  const output = [];
  const collect = (line) => { output.push(line); onLine(line); };
  const suiteEnv = { ALEXNET_TEST_RESULTS: resultsFile, ...(grep ? { ALEXNET_TEST_GREP: grep } : {}), ...env };
  const ws = workspace && existsSync(workspace) ? workspace : undefined;

  // Either reuse the e2e runner's openVSCode (screenshots, cleanup) or start everything here.
  let server;
  let page;
  const cleanups = [];
  try {
    let bridge;
    if (openVSCode) {
      ({ server, page } = await openVSCode({
        workspace: ws,
        extension: {}, // the dev extension comes from extensionDevelopmentPath, not the extensions dir
        env: suiteEnv,
        workspaceTrust,
        waitForWorkbench: false,
        query: (s) => ({ payload: mochaPayload(s, { extensionPath, testsPath }) }),
        beforeGoto: async (p) => { bridge = await attachAutomationBridge(p, collect); },
      }));
    } else {
      server = await startCodeServer({ workspace: ws, extension: {}, env: suiteEnv, workspaceTrust, runDir: join(runDir, 'code-server'), log });
      cleanups.push(() => server.stop());
      const browser = await launchBrowser(join(runDir, 'browser'));
      cleanups.push(() => browser.close());
      page = browser.pages()[0] ?? await browser.newPage();
      bridge = await attachAutomationBridge(page, collect);
      const url = server.folderUrl(ws, { payload: mochaPayload(server, { extensionPath, testsPath }) });
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    }
    let timer;
    const code = await Promise.race([
      bridge.exitCode,
      new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`the suite did not finish in ${timeoutMs / 1000} s`)), timeoutMs); }),
    ]).finally(() => clearTimeout(timer));
    let results = null;
    try { results = JSON.parse(readFileSync(resultsFile, 'utf8')); } catch { /* suite did not write one */ }
    return { exitCode: code, output, results, ms: Date.now() - t0, server, page };
  } finally {
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => {});
    if (ownDir && !process.env.E2E_KEEP) rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      tests: { type: 'string' },
      extension: { type: 'string', default: repoRoot },
      workspace: { type: 'string', default: join(repoRoot, 'test', 'suite', 'fixtures') },
      grep: { type: 'string' },
      timeout: { type: 'string', default: '600' },
      'no-build': { type: 'boolean', default: false },
      log: { type: 'string' },
    },
  });
  if (!values.tests && !values['no-build']) {
    const built = buildSuite();
    if (built) console.error(built);
  }
  const testsPath = values.tests ? resolve(values.tests) : findSuiteEntry();
  if (!testsPath || !existsSync(testsPath)) {
    console.error(`no built in-host suite: looked for ${values.tests ?? suiteEntryCandidates.join(', ')}`);
    process.exit(2);
  }
  if (values.log) writeFileSync(values.log, '');
  const r = await runMochaInExtHost({
    testsPath,
    extensionPath: resolve(values.extension),
    workspace: resolve(values.workspace),
    grep: values.grep,
    timeoutMs: Number(values.timeout) * 1000,
    onLine: (l) => { console.log(l); if (values.log) appendFileSync(values.log, `${l}\n`); },
  }).catch((e) => { console.error(e.message); process.exit(1); });
  console.error(`in-host suite exit code ${r.exitCode} (${(r.ms / 1000).toFixed(1)} s)`);
  process.exit(r.exitCode);
}
