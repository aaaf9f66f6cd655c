// Entry the extension host loads for in-host tests (extensionTestsPath = out/test/suite/index.js,
// built by `node scripts/build-suite.mjs`). Runs every *.test.js next to it with mocha.
// ALEXNET_TEST_RESULTS=<file> also writes a JSON summary there (for harnesses that cannot read the console).
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

// ALEXNET_SUITE=restricted runs only restricted/ (an untrusted workspace, opened on its own by
// e2e scenario 03); otherwise everything else runs, in a trusted one.
const RESTRICTED = 'restricted';

function testFiles(dir: string, top = true): string[] {
  const restrictedOnly = process.env.ALEXNET_SUITE === RESTRICTED;
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (top && statSync(p).isDirectory() && (name === RESTRICTED) !== restrictedOnly) return [];
      if (top && !statSync(p).isDirectory() && restrictedOnly) return [];
      if (statSync(p).isDirectory()) return testFiles(p, false);
      return name.endsWith('.test.js') ? [p] : [];
    });
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 180_000, ...(process.env.ALEXNET_TEST_GREP && { grep: process.env.ALEXNET_TEST_GREP }) });
  for (const f of testFiles(__dirname)) mocha.addFile(f);
  const summary: { title: string; state: 'passed' | 'failed'; ms?: number; error?: string }[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env.ALEXNET_TEST_RESULTS;
      if (out) writeFileSync(out, JSON.stringify({ failures, tests: summary }, null, 2));
      if (failures) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => summary.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
    runner.on('fail', (t, err: Error) => summary.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) }));
  });
}
