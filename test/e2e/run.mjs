// End-to-end tests in a real VS Code (code-server 4.100.3 + headless chromium).
//   node test/e2e/run.mjs [filter...] [--vsix path.vsix] [--extension dir] [--keep]
// Runs test/e2e/scenarios/*.mjs in name order, each with a fresh code-server and browser profile,
// prints PASS/FAIL per scenario and a last line "N passed, N failed"; exit code 1 on any failure.
// Screenshots: test-results/e2e/<scenario>/NN-step.png. Env: E2E_VSIX, E2E_EXTENSION, E2E_KEEP=1,
// E2E_RESULTS_DIR, E2E_SCENARIO_TIMEOUT (seconds, default 420).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot, startCodeServer, ensureCodeServer } from './codeServer.mjs';
import { launchBrowser } from './browser.mjs';
import { openWorkbench } from './workbench.mjs';

const { values: opts, positionals: filters } = parseArgs({
  allowPositionals: true,
  options: {
    vsix: { type: 'string', default: process.env.E2E_VSIX },
    extension: { type: 'string', default: process.env.E2E_EXTENSION },
    keep: { type: 'boolean', default: process.env.E2E_KEEP === '1' },
    'scenario-timeout': { type: 'string', default: process.env.E2E_SCENARIO_TIMEOUT ?? '420' },
  },
});
const extension = opts.vsix ? { vsix: resolve(opts.vsix) } : { folder: resolve(opts.extension ?? repoRoot) };
// E2E_RESULTS_DIR: another folder, e.g. for two runs at once (each scenario empties its own subfolder when it starts).
const resultsRoot = resolve(process.env.E2E_RESULTS_DIR ?? join(repoRoot, 'test-results', 'e2e'));
const scenarioTimeoutMs = Number(opts['scenario-timeout']) * 1000;
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (m) => console.log(`  [${secs(Date.now() - t0)}] ${m}`);

const scenarioDir = join(repoRoot, 'test', 'e2e', 'scenarios');
const files = readdirSync(scenarioDir).filter((f) => /^\d+-.*\.mjs$/.test(f)).sort()
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)));
if (!files.length) {
  console.error(`no scenario matches ${filters.join(' ')}`);
  process.exit(2);
}

// Only the folders of the scenarios run now are emptied (see makeContext): runs of other scenarios
// at the same time (several engineers, one checkout) keep their screenshots.
mkdirSync(resultsRoot, { recursive: true });
if (extension.folder && !existsSync(join(extension.folder, 'package.json'))) {
  console.error(`no extension at ${extension.folder}`);
  process.exit(2);
}
console.log(`e2e: extension ${extension.vsix ?? extension.folder}; results in ${relative(process.cwd(), resultsRoot) || resultsRoot}`);
{
  const t = Date.now();
  await ensureCodeServer({ log: (m) => log(`[code-server] ${m}`) });
  log(`code-server ready (${secs(Date.now() - t)})`);
}

/** What a scenario gets to work with. Everything it opens is closed by the runner. */
function makeContext(name) {
  const resultsDir = join(resultsRoot, name);
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const runDir = mkdtempSync(join(tmpdir(), `alexnet-e2e-${name}-`));
  const cleanups = [];
  let shotNo = 0;
  const ctx = {
    name,
    runDir,
    resultsDir,
    extension,
    log,
    /** The page of the last openVSCode(), for screenshots on failure. */
    page: null,
    server: null,
    /** A fresh empty folder for a workspace. */
    workspaceDir(label = 'workspace') {
      const dir = join(runDir, label);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    /** Screenshot of the current page as NN-step.png; returns its path. */
    async shot(step) {
      if (!ctx.page) return null;
      const file = join(resultsDir, `${String(++shotNo).padStart(2, '0')}-${step}.png`);
      await ctx.page.screenshot({ path: file, timeout: 15_000 }).catch((e) => log(`screenshot ${step} failed: ${e.message}`));
      ctx.lastShot = file;
      return file;
    },
    lastShot: null,
    /**
     * Starts code-server with our extension and opens the workbench in a fresh browser.
     * @param {{workspace?: string, settings?: object, env?: object, workspaceTrust?: boolean, query?: object, waitForWorkbench?: boolean,
     *          beforeGoto?: (page) => Promise<void>}} o
     */
    async openVSCode(o = {}) {
      const t = Date.now();
      const server = await startCodeServer({
        workspace: o.workspace,
        extension: o.extension ?? extension,
        settings: o.settings,
        env: o.env,
        workspaceTrust: o.workspaceTrust,
        runDir: join(runDir, `code-server-${cleanups.length}`),
        log: (m) => log(`[code-server] ${m}`),
      });
      cleanups.push(() => server.stop());
      ctx.server = server;
      log(`code-server listening on ${server.url} (${secs(Date.now() - t)})`);
      const browser = await launchBrowser(join(runDir, `browser-${cleanups.length}`));
      cleanups.push(() => browser.close());
      const page = browser.pages()[0] ?? await browser.newPage();
      ctx.page = page;
      const consoleLog = join(resultsDir, 'browser-console.log');
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') appendFileSync(consoleLog, `[${msg.type()}] ${msg.text()}\n`);
      });
      page.on('pageerror', (err) => appendFileSync(consoleLog, `[pageerror] ${err.message}\n`));
      await o.beforeGoto?.(page);
      const query = typeof o.query === 'function' ? o.query(server) : (o.query ?? {});
      const url = server.folderUrl(o.workspace, query);
      if (o.waitForWorkbench === false) {
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      } else {
        await openWorkbench(page, url);
        log(`workbench up (${secs(Date.now() - t)} since code-server start)`);
      }
      return { server, page, browser };
    },
    async cleanup({ keep }) {
      for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((e) => log(`cleanup: ${e.message}`));
      if (!keep) rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  return ctx;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} took longer than ${ms / 1000} s`)), ms); }),
  ]);
}

const results = [];
for (const file of files) {
  const name = file.replace(/\.mjs$/, '');
  const mod = await import(pathToFileURL(join(scenarioDir, file)).href);
  const title = mod.title ?? name;
  console.log(`\n--- ${name}: ${title}`);
  const ctx = makeContext(name);
  const started = Date.now();
  let error = null;
  let notes = [];
  try {
    notes = (await withTimeout(Promise.resolve().then(() => mod.run(ctx)), scenarioTimeoutMs, name)) ?? [];
  } catch (e) {
    error = e;
  }
  const ms = Date.now() - started;
  if (error) {
    await ctx.shot('failure');
    console.log(`  error: ${error.stack ?? error}`);
    if (ctx.lastShot) console.log(`  last screenshot: ${ctx.lastShot}`);
    if (ctx.server) {
      console.log(`  code-server log: ${ctx.server.logFile}`);
      const exthost = ctx.server.extensionHostLogs();
      console.log(`  extension host logs: ${exthost.length ? exthost.join(', ') : `(none yet under ${ctx.server.userDataDir}/logs)`}`);
    }
  }
  const keep = opts.keep || !!error;
  await ctx.cleanup({ keep });
  if (keep) console.log(`  kept ${ctx.runDir}`);
  for (const n of [].concat(notes)) console.log(`  note: ${n}`);
  console.log(`${error ? 'FAIL' : 'PASS'} ${name} (${secs(ms)})${error ? `: ${String(error.message).split('\n')[0]}` : ''}`);
  results.push({ name, ok: !error, ms, error: error ? String(error.message) : null, notes });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
writeFileSync(join(resultsRoot, 'summary.json'), `${JSON.stringify({ extension, totalMs: Date.now() - t0, results }, null, 2)}\n`);
console.log(`\ne2e total ${secs(Date.now() - t0)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
