// How long this process's threads waited for a CPU: a run whose threads spent more than a few
// percent of their time in the run queue measured the other jobs on this shared machine, not us.
import { readdirSync, readFileSync } from 'node:fs';

export function schedstat(pid: number | 'self' = 'self'): { runNs: number; waitNs: number } {
  let runNs = 0;
  let waitNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      runNs += Number(run);
      waitNs += Number(wait);
    } catch {
      // the thread ended between listing and reading
    }
  }
  return { runNs, waitNs };
}

/** Runs fn and returns its wall time (ms) and the share of thread time spent waiting for a CPU. */
export async function timed(fn: () => unknown): Promise<{ ms: number; wait: number }> {
  const a = schedstat();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const b = schedstat();
  const total = b.runNs - a.runNs + (b.waitNs - a.waitNs);
  return { ms, wait: total > 0 ? (b.waitNs - a.waitNs) / total : 0 };
}

export function vmHwmMb(pid: number | 'self' = 'self'): number | undefined {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : undefined;
}
