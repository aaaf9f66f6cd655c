// Partial models: a frozen or probe run saves only the layers it trained (a probe's fc8 is a few MB
// where the whole network is 244 MB) and names the weights file the rest comes from, with its
// SHA-256. Loading one checks that file is still there and still the same before completing it.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { BaseWeightsRef } from '../../protocol/engine/train';

/** The safetensors metadata key holding the BaseWeightsRef as JSON. */
export const BASE_WEIGHTS_KEY = 'baseWeights';

export class BaseWeightsError extends Error {
  readonly code = 'bad-weights';
}

/** Hashes already taken in this process, by path, size and mtime: a partial model is completed on every load. */
const hashed = new Map<string, string>();

export async function sha256File(path: string): Promise<string> {
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  const known = hashed.get(key);
  if (known) return known;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha = hash.digest('hex');
  hashed.set(key, sha);
  return sha;
}

/** The reference a run records for its starting weights file. */
export async function baseWeightsRef(path: string, loadAs: string): Promise<BaseWeightsRef> {
  return { path, sha256: await sha256File(path), size: statSync(path).size, loadAs };
}

/** The reference in a file's metadata, or undefined for a whole model. */
export function parseBaseWeightsRef(metadata: Record<string, string>): BaseWeightsRef | undefined {
  const text = metadata[BASE_WEIGHTS_KEY];
  if (!text) return undefined;
  let ref: Partial<BaseWeightsRef>;
  try {
    ref = JSON.parse(text) as Partial<BaseWeightsRef>;
  } catch {
    throw new BaseWeightsError(`the ${BASE_WEIGHTS_KEY} entry of the file's metadata is not JSON`);
  }
  if (typeof ref.path !== 'string' || typeof ref.sha256 !== 'string') throw new BaseWeightsError(`the ${BASE_WEIGHTS_KEY} entry of the file's metadata has no path or SHA-256`);
  return { path: ref.path, sha256: ref.sha256, size: Number(ref.size ?? 0), loadAs: typeof ref.loadAs === 'string' ? ref.loadAs : 'auto' };
}

/**
 * Throws a message that says what to do when the base file is gone or is not the one the run
 * started from (size first: hashing 244 MB takes a second, once per process while the file is unchanged).
 */
export async function verifyBaseWeights(ref: BaseWeightsRef, partialFile: string): Promise<void> {
  const what = `${partialFile} holds only the trained layers; the others come from ${ref.path} (SHA-256 ${ref.sha256.slice(0, 12)}…)`;
  if (!existsSync(ref.path)) throw new BaseWeightsError(`${what}, which is gone: put that file back at that path to use this model`);
  const size = statSync(ref.path).size;
  const changed = (detail: string) => new BaseWeightsError(`${what}, which has changed since (${detail}): restore the original file to use this model`);
  if (ref.size && size !== ref.size) throw changed(`${size} bytes, was ${ref.size}`);
  const sha = await sha256File(ref.path);
  if (sha !== ref.sha256) throw changed(`SHA-256 now ${sha.slice(0, 12)}…`);
}
