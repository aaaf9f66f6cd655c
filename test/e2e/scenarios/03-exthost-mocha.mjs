// The in-host Mocha suite (test/suite/, built by scripts/build-suite.mjs) run inside code-server's
// extension host through the ?payload= route. A missing suite is a FAIL, not a skip.
import { join } from 'node:path';
import { repoRoot } from '../codeServer.mjs';
import { buildSuite, findSuiteEntry, runMochaInExtHost, suiteEntryCandidates } from '../run-mocha-in-exthost.mjs';

export const title = 'In-host Mocha suite (?payload= route)';

export async function run(ctx) {
  if (ctx.extension.vsix) ctx.log('note: the in-host suite always loads the extension from the repo folder (extensionDevelopmentPath)');
  const built = buildSuite();
  if (built) ctx.log(built);
  const testsPath = findSuiteEntry();
  if (!testsPath) {
    throw new Error(`the in-host suite is not built: none of ${suiteEntryCandidates.join(', ')} exists `
      + '(set ALEXNET_EXTHOST_TESTS to its index.js)');
  }
  ctx.log(`suite: ${testsPath}`);
  const lines = [];
  const r = await runMochaInExtHost({
    testsPath,
    extensionPath: repoRoot,
    workspace: join(repoRoot, 'test', 'suite', 'fixtures'),
    timeoutMs: 280_000,
    runDir: join(ctx.runDir, 'mocha'),
    openVSCode: ctx.openVSCode,
    onLine: (l) => { lines.push(l); if (/passing|failing|pending|^\s+\d+\)|✔|✓|^\s{2,}\S/.test(l)) console.log(`    | ${l}`); },
    log: ctx.log,
  });
  await ctx.shot('after-suite');
  const passing = Number(lines.join('\n').match(/(\d+) passing/)?.[1] ?? r.results?.tests?.filter((t) => t.state === 'passed').length ?? 0);
  const failing = Number(lines.join('\n').match(/(\d+) failing/)?.[1] ?? r.results?.failures ?? 0);
  if (r.exitCode !== 0) {
    const failed = (r.results?.tests ?? []).filter((t) => t.state === 'failed').map((t) => `${t.title}: ${String(t.error).split('\n')[0]}`);
    throw new Error(`in-host suite exit code ${r.exitCode}, ${passing} passing, ${failing} failing${failed.length ? `:\n  ${failed.join('\n  ')}` : ''}`);
  }
  if (!passing) throw new Error('in-host suite reported success but no passing tests');

  // Second pass: test/suite/restricted/ alone, in an untrusted workspace whose settings name a
  // mirror, a weights file and a backend (Workspace Trust on, the folder never trusted).
  const restrictedLines = [];
  const rr = await runMochaInExtHost({
    testsPath,
    extensionPath: repoRoot,
    workspace: join(repoRoot, 'test', 'suite', 'fixtures-untrusted'),
    workspaceTrust: true,
    env: { ALEXNET_SUITE: 'restricted' },
    timeoutMs: 180_000,
    runDir: join(ctx.runDir, 'mocha-restricted'),
    openVSCode: ctx.openVSCode,
    onLine: (l) => { restrictedLines.push(l); if (/passing|failing|pending|^\s+\d+\)|✔|✓|^\s{2,}\S/.test(l)) console.log(`    | ${l}`); },
    log: ctx.log,
  });
  await ctx.shot('after-restricted-suite');
  const rPassing = Number(restrictedLines.join('\n').match(/(\d+) passing/)?.[1] ?? 0);
  if (rr.exitCode !== 0 || !rPassing) {
    const failed = (rr.results?.tests ?? []).filter((t) => t.state === 'failed').map((t) => `${t.title}: ${String(t.error).split('\n')[0]}`);
    throw new Error(`Restricted Mode suite exit code ${rr.exitCode}, ${rPassing} passing${failed.length ? `:\n  ${failed.join('\n  ')}` : ''}`);
  }
  return [
    `${passing} passing, ${failing} failing in the extension host (${(r.ms / 1000).toFixed(1)} s)`,
    `${rPassing} passing in Restricted Mode (untrusted workspace, ${(rr.ms / 1000).toFixed(1)} s)`,
  ];
}
