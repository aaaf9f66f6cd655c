// A CLI command that trains re-runs itself once with the training malloc settings
// (engine/train/mallocEnv.ts), since glibc reads them only at process start.
import { spawnSync } from 'node:child_process';
import { TRAINING_MALLOC_ENV } from '../engine/train/mallocEnv';

/** The child's exit code after re-running `argv` with the settings; undefined when already set (or not Linux). */
export function reexecWithMallocSettings(argv: string[]): number | undefined {
  if (process.env.MALLOC_MMAP_MAX_ !== undefined || process.platform !== 'linux') return undefined;
  // Ctrl-C reaches the child through the terminal's process group, and the child cancels cleanly
  // (keeping its checkpoint): this process must outlive it rather than die on the signal.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      stdio: 'inherit',
      env: { ...TRAINING_MALLOC_ENV, ...process.env },
    });
    return r.status ?? 1;
  } finally {
    process.off('SIGINT', ignore);
  }
}
