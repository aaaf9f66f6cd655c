// The image files a classify command works on (no vscode: unit-tested).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_EXTENSIONS, isImagePath } from '../../protocol/imageFiles';

export { IMAGE_EXTENSIONS, isImagePath };
/** A folder larger than this is cut short (with a warning) rather than flooding the panel. */
export const MAX_FOLDER_IMAGES = 5000;

/** Image files under `dir` (recursively, skipping hidden folders), sorted; at most `limit`. */
export async function listImages(dir: string, limit = MAX_FOLDER_IMAGES): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  const walk = async (d: string): Promise<boolean> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!(await walk(p))) return false;
      } else if (e.isFile() && isImagePath(e.name)) {
        if (paths.length >= limit) return false;
        paths.push(p);
      }
    }
    return true;
  };
  const complete = await walk(dir);
  return { paths, truncated: !complete };
}
