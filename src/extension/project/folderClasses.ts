// The class of each image of a projected folder, from where it lies (no vscode: unit-tested).
// An image's class is its parent folder's name when that is not the projected folder itself, so
// cat/1.jpg, train/cat/2.jpg and val/cat/3.jpg are all "cat" (the layouts Train on Folder reads).
import { basename, dirname, relative, resolve, sep } from 'node:path';

export interface FolderClasses {
  /** sorted class names */
  classes: string[];
  /** per path: index into classes, -1 for an image in the folder itself */
  index: number[];
  /** per path: relative to the folder, '/'-separated */
  rel: string[];
}

export function folderClasses(root: string, paths: readonly string[]): FolderClasses {
  const top = resolve(root);
  const rel = paths.map((p) => relative(top, resolve(p)).split(sep).join('/'));
  const names = paths.map((p) => {
    const parent = dirname(resolve(p));
    return parent === top ? undefined : basename(parent);
  });
  const classes = [...new Set(names.filter((n): n is string => n !== undefined))].sort((a, b) => a.localeCompare(b));
  const at = new Map(classes.map((c, i) => [c, i]));
  return { classes, index: names.map((n) => (n === undefined ? -1 : at.get(n)!)), rel };
}
