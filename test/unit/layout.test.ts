// The programs import one way (issue 11's layout). `tsc -b` enforces it too (each program's
// tsconfig sees only what it may import, and only the webview has the DOM lib); this test says
// which import broke the rule, in a second, without a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from '../helpers/paths';

const SRC = join(REPO_ROOT, 'src');
/** What each program under src/ may import from the others. */
const MAY_IMPORT: Record<string, string[]> = {
  protocol: [],
  engine: ['protocol'],
  cli: ['engine', 'protocol'],
  extension: ['engine', 'protocol'],
  webview: ['protocol'],
};
/** Packages a program must not load: `vscode` outside the host, Node's modules in the pages. */
const FORBIDDEN_PACKAGES: Record<string, RegExp> = {
  protocol: /^(vscode|node:|@tensorflow|sharp|onnxruntime)/,
  engine: /^vscode$/,
  cli: /^vscode$/,
  extension: /^(@tensorflow|onnxruntime)/,
  webview: /^(vscode|node:|@tensorflow|sharp|onnxruntime)/,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const program = (file: string) => relative(SRC, file).split(sep)[0];

/** Every `import ... from 'x'`, `export ... from 'x'`, `import 'x'` and `import('x')` specifier. */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

test('each program under src/ imports only the programs it may', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const from = program(file);
    assert.ok(from in MAY_IMPORT, `${relative(REPO_ROOT, file)}: src/${from} is not a known program`);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const to = program(resolve(dirname(file), spec));
        if (to !== from && !MAY_IMPORT[from].includes(to)) wrong.push(`${relative(REPO_ROOT, file)} imports src/${to} (${spec})`);
      } else if (FORBIDDEN_PACKAGES[from].test(spec)) {
        wrong.push(`${relative(REPO_ROOT, file)} imports '${spec}'`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the checker sees the imports it must refuse', () => {
  // The rule above is only as good as its parsing: these are the forms the sources use.
  assert.deepEqual(
    specifiers(`import type { A } from '../a';\nimport { b } from "./b";\nexport * from './c';\nimport './d.css';\nconst e = await import('../e');\n// import { x } from '../commented'`),
    ['../a', './b', './c', './d.css', '../e'],
  );
});
