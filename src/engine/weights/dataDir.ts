// Locates the repository's weights/ folder (manifest, labels). The same code runs from the
// sources (src/engine/weights/ under tsx) and from the esbuild bundles in dist/,
// where __dirname is dist/; both sit at a fixed distance from weights/.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CANDIDATES = ['../../../weights', '../weights'];

/** Absolute path of `weights/<fileName>`; throws naming every place it looked. */
export function weightsDataFile(fileName: string, fromDir: string = __dirname): string {
  const tried: string[] = [];
  for (const rel of CANDIDATES) {
    const p = resolve(fromDir, rel, fileName);
    if (existsSync(p)) return p;
    tried.push(p);
  }
  throw new Error(`Cannot find ${fileName}; looked in:\n  ${tried.join('\n  ')}`);
}

/** The weights/ folder itself (the one holding manifest.json). */
export function weightsDataDir(fromDir: string = __dirname): string {
  return join(weightsDataFile('manifest.json', fromDir), '..');
}
