// The image files the engine decodes, by extension: one list for the engine (which files to
// decode), the host (which files a folder command takes, the open dialogs' filter) and
// package.json's `when` clauses (test/unit/protocol/imageFiles.test.ts checks they agree).

/** Lower case, without the dot. */
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff'];

const EXTENSION_SET = new Set(IMAGE_EXTENSIONS);

/** True for a file name or path ending in one of IMAGE_EXTENSIONS (any case; '.jpg' alone is no image). */
export function isImagePath(path: string): boolean {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 && EXTENSION_SET.has(base.slice(dot + 1).toLowerCase());
}
