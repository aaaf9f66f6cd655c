// OpenBLAS for the PyTorch peer. Debian's libtorch pulls in the reference BLAS, which runs every
// Linear layer several times slower; OpenBLAS is unpacked (not installed) into the bench cache and
// given to PyTorch with LD_LIBRARY_PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const benchCacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'alexnet-explorer-bench');

/** The folder to put in LD_LIBRARY_PATH; downloads and unpacks libopenblas0-openmp when missing. */
export function ensureOpenBlas(log) {
  const dir = join(benchCacheDir, 'openblas');
  const lib = join(dir, 'usr/lib/x86_64-linux-gnu/openblas-openmp');
  if (existsSync(join(lib, 'libblas.so.3'))) return lib;
  log(`installing OpenBLAS for PyTorch: apt-get download libopenblas0-openmp; dpkg-deb -x into ${dir}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('apt-get', ['download', 'libopenblas0-openmp'], { cwd: benchCacheDir, stdio: 'inherit' });
  const deb = execFileSync('sh', ['-c', 'ls -1 libopenblas0-openmp_*.deb | tail -1'], { cwd: benchCacheDir, encoding: 'utf8' }).trim();
  execFileSync('dpkg-deb', ['-x', join(benchCacheDir, deb), dir]);
  return lib;
}
