// With --json, stdout is for the JSON alone (`alexnet classify --json ... | python3 -m json.tool`).
// Everything else anything prints (our notes, the engine's warnings, a library's banner, an
// emscripten runtime's prints) goes to stderr: console.log/info/debug and process.stdout.write are
// pointed there for the whole command, and the JSON goes out through the stream's real writer.
const realWrite = process.stdout.write.bind(process.stdout) as (chunk: string, cb?: () => void) => boolean;

let jsonMode = false;

/** Whether argv asks for JSON (`--json` anywhere before a `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** From now on only printJson reaches stdout. */
export function enterJsonMode(): void {
  if (jsonMode) return;
  jsonMode = true;
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
}

/** One JSON document (pretty) or one JSON line (`line`) on stdout. */
export function printJson(value: unknown, line = false): void {
  realWrite(`${JSON.stringify(value, null, line ? undefined : 2)}\n`);
}

/**
 * Resolves once everything written to stdout has left the process. A pipe's writes can be queued
 * (a 1 MB JSON for 5,000 images), and process.exit() drops what is still queued.
 */
export function flushStdout(): Promise<void> {
  return new Promise((resolve) => {
    if (!process.stdout.writableLength) return resolve();
    realWrite('', () => resolve());
  });
}
