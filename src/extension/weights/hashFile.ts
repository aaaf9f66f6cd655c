import { createReadStream } from 'node:fs';
import type { Hash } from 'node:crypto';
import { createHash } from 'node:crypto';

/** Streams the first `length` bytes of a file (all when omitted) into `hash`. */
export async function hashFileInto(hash: Hash, path: string, length?: number, signal?: AbortSignal): Promise<void> {
  if (length === 0) return;
  const stream = createReadStream(path, { ...(length !== undefined && { end: length - 1 }), highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) hash.update(chunk as Buffer);
}

/** SHA-256 of a whole file, lower-case hex. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await hashFileInto(hash, path, undefined, signal);
  return hash.digest('hex');
}
