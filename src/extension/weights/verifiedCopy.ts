// A `<file>.sha256` sidecar remembers that a file was verified, so a later start need not
// re-hash 233 MB: it is trusted only while the file's size and mtime are what they were.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { sha256File } from './hashFile';

export interface ExpectedHash {
  sha256?: string;
  sha256Prefix?: string;
}

interface Sidecar {
  sha256: string;
  size: number;
  mtimeMs: number;
}

export const sidecarPath = (file: string): string => `${file}.sha256`;

/** True when `actual` satisfies the full hash, or else the prefix (torch.hub's check_hash); false when neither is given. */
export function hashMatches(actual: string, expected: ExpectedHash): boolean {
  const a = actual.toLowerCase();
  if (expected.sha256) return a === expected.sha256.toLowerCase();
  if (expected.sha256Prefix) return a.startsWith(expected.sha256Prefix.toLowerCase());
  return false;
}

export function describeExpected(expected: ExpectedHash): string {
  if (expected.sha256) return expected.sha256.toLowerCase();
  if (expected.sha256Prefix) return `${expected.sha256Prefix.toLowerCase()}... (prefix)`;
  return '(none)';
}

export async function writeSidecar(file: string, sha256: string): Promise<void> {
  const s = await stat(file);
  const body: Sidecar = { sha256, size: s.size, mtimeMs: s.mtimeMs };
  await writeFile(sidecarPath(file), JSON.stringify(body) + '\n');
}

/** The hash recorded for `file`, if its sidecar still describes the file as it is now. */
export async function sidecarHash(file: string): Promise<string | undefined> {
  try {
    const [s, text] = await Promise.all([stat(file), readFile(sidecarPath(file), 'utf8')]);
    const side = JSON.parse(text) as Partial<Sidecar>;
    if (typeof side.sha256 === 'string' && side.size === s.size && side.mtimeMs === s.mtimeMs) return side.sha256;
  } catch {
    // missing or unreadable sidecar: the caller re-hashes
  }
  return undefined;
}

/**
 * Hash of an existing file: from the sidecar when it is current, else re-hashed (and the
 * sidecar rewritten). Undefined when the file does not exist.
 */
export async function currentHash(file: string, signal?: AbortSignal): Promise<{ sha256: string; rehashed: boolean } | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const known = await sidecarHash(file);
  if (known) return { sha256: known, rehashed: false };
  const sha256 = await sha256File(file, signal);
  await writeSidecar(file, sha256);
  return { sha256, rehashed: true };
}

export async function removeWithSidecar(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(sidecarPath(file), { force: true });
}
