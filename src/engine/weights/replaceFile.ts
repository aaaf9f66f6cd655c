// Replacing a big file atomically: the new bytes go to a file beside it, flushed to the disk, then
// renamed over it, so the old file stays whole until the new one is.
//
// A file rewritten every epoch (a training checkpoint, 0.5-0.7 GB for torchvision) can recycle: the
// replaced file is kept as `<path>.spare` (a hard link taken before the rename) and the next write
// goes into it in place. Its pages are then still in the page cache and are overwritten, where a
// new file makes the kernel find fresh pages for every byte. On the 2-core VMs here that cost 1.2-4.3 s
// of system time per 730 MB against 0.1 s in place (scratch measurement, fresh file + fsync vs
// in-place + fsync), and the training steps running meanwhile lost that much CPU.
// The spares cost their size on the disk while a run trains; removeSpare drops them.
import type { FileHandle } from 'node:fs/promises';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Replacement {
  /** write the new contents here, from offset 0 */
  fh: FileHandle;
  /** cuts the file to `size` bytes, flushes it to the disk and renames it over the target */
  commit(size: number): Promise<void>;
  /** gives up: the target is left as it was */
  abort(): Promise<void>;
}

export const spareOf = (path: string): string => `${path}.spare`;

export async function openReplacement(path: string, opts: { recycle?: boolean } = {}): Promise<Replacement> {
  await mkdir(dirname(path), { recursive: true });
  const recycle = !!opts.recycle;
  const tmp = recycle ? spareOf(path) : `${path}.${process.pid}.${Date.now()}.tmp`;
  // r+ keeps the spare's pages (no truncation); a missing spare is created
  const fh = recycle ? await open(tmp, 'r+').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? open(tmp, 'w') : Promise.reject(e))) : await open(tmp, 'w');
  let closed = false;
  const close = async () => {
    if (!closed) await fh.close();
    closed = true;
  };
  return {
    fh,
    async commit(size: number) {
      try {
        try {
          await fh.truncate(size);
          await fh.sync();
        } finally {
          await close();
        }
        if (recycle) await renameKeepingOld(tmp, path);
        else await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async abort() {
      await close();
      await rm(tmp, { force: true });
    },
  };
}

/** rename(from, to), the replaced `to` becoming `from` (so the next write recycles it). */
async function renameKeepingOld(from: string, to: string): Promise<void> {
  const held = `${from}.next`;
  await rm(held, { force: true }); // left by a crash between the two renames
  // no hard links here (FAT, some network drives) or no old file: a plain rename, nothing kept
  const kept = await link(to, held).then(() => true, () => false);
  await rename(from, to);
  if (kept) await rename(held, from);
}

/** Removes a file's spare (at the end of a run: it is only a speed-up for the next write). */
export async function removeSpare(path: string): Promise<void> {
  await rm(spareOf(path), { force: true });
  await rm(`${spareOf(path)}.next`, { force: true });
}
