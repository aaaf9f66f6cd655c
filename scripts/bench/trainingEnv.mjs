// The environment our trainer runs with (src/engine/train/mallocEnv.ts, read once through tsx): the
// benchmarks start our rows with it, as the extension's engine and the CLI start themselves with it.
import { execFileSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
const script = "console.log(JSON.stringify(require('./src/engine/train/mallocEnv.ts').TRAINING_MALLOC_ENV))";
export const TRAINING_ENV = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop());
