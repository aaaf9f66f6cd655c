// The only changes the extension makes to a training folder, each asked for by the user on one
// validation image, each undoable: Move to Class (into another class folder of the same split) and
// Exclude (into <dataset>/.alexnet/excluded/, keeping its relative path). Excluding moves the file
// rather than listing it somewhere: the scan skips dot-folders, so every reader of the folder (the
// scan, the exported PyTorch project, any other tool) sees the same images, and the excluded ones
// stay visible and can be put back by hand. Nothing is ever overwritten: a taken name gets a free
// one ("a-2.png"), and Undo refuses when the original place is taken. The log of a run's edits is
// kept in its folder (dataset-edits.json), so Undo survives a window reload. No `vscode` import:
// unit-tested.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, constants, link, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, sep } from 'node:path';
import { VAL_FOLDER_NAMES, type RunConfigFile } from '../../protocol/engine/train';
import { writeJsonAtomic } from '../../engine/train/runFiles';

export const EXCLUDED_DIR = join('.alexnet', 'excluded');
/** In the run folder: the edits made from its training view that can still be undone. */
export const EDIT_LOG_FILE = 'dataset-edits.json';

interface EditLogFile {
  version: 1;
  edits: DatasetEdit[];
}

export interface DatasetEdit {
  kind: 'move' | 'exclude';
  /** where the image was */
  from: string;
  /** where it is now */
  to: string;
  /** move: the class folder it went to */
  className?: string;
}

export class DatasetEditError extends Error {
  constructor(message: string, readonly code: 'gone' | 'permission' | 'taken' | 'bad-input' | 'io') {
    super(message);
  }
}

/** Where an image sits in the dataset: its split root (the folder, or train/ or val/), class and the rest. */
export interface ImagePlace {
  root: string;
  className: string;
  /** path below the class folder */
  rest: string;
}

/** Finds the class folder of an image of the dataset; throws when the path is not in one. */
export function placeOf(folder: string, layout: RunConfigFile['layout'], path: string): ImagePlace {
  const rel = relative(folder, path);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) throw new DatasetEditError(`${path} is not inside the dataset folder ${folder}`, 'bad-input');
  const parts = rel.split(sep);
  const split = layout === 'split-folders' ? 1 : 0;
  if (split && !(parts[0] === 'train' || VAL_FOLDER_NAMES.includes(parts[0]))) throw new DatasetEditError(`${rel} is not under train/ or val/`, 'bad-input');
  if (parts.length < split + 2 || parts[split].startsWith('.')) throw new DatasetEditError(`${rel} is not in a class folder`, 'bad-input');
  return { root: split ? join(folder, parts[0]) : folder, className: parts[split], rest: parts.slice(split + 1).join(sep) };
}

/** "name.png", "name-2.png", "name-3.png", ... */
function candidateName(name: string, i: number): string {
  if (i === 1) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}-${i}${ext}`;
}

/** An fs error as a message the user can act on. */
export function describeFsError(e: unknown, action: string, path: string): DatasetEditError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DatasetEditError(`${path} is gone: it was moved or deleted since this run validated it`, 'gone');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new DatasetEditError(`no permission to ${action} ${path} (${code})`, 'permission');
  return new DatasetEditError(`cannot ${action} ${path}: ${(e as Error).message}`, 'io');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves `src` to `dst` only if `dst` does not exist: a hard link fails atomically on a taken name
 * (EEXIST); where links are not supported, a copy that refuses to overwrite (COPYFILE_EXCL).
 * Returns false when `dst` is taken.
 */
async function moveIfFree(src: string, dst: string): Promise<boolean> {
  try {
    await link(src, dst);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EROFS') throw e;
    // no hard links here (EPERM, ENOTSUP, EXDEV, ...): a same-device rename after a check, else copy
    if (await exists(dst)) return false;
    try {
      await rename(src, dst);
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code !== 'EXDEV') throw e2;
      await copyFile(src, dst, constants.COPYFILE_EXCL);
    }
  }
  try {
    await unlink(src);
  } catch (e) {
    await unlink(dst).catch(() => undefined); // leave things as they were
    throw e;
  }
  return true;
}

/** Moves `src` into `dir` under its own name, or the first free "name-N" one. */
async function moveInto(src: string, dir: string, name: string, action: string): Promise<string> {
  try {
    await stat(src);
  } catch (e) {
    throw describeFsError(e, action, src);
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw describeFsError(e, `create the folder for`, dir);
  }
  for (let i = 1; i < 10_000; i++) {
    const dst = join(dir, candidateName(name, i));
    try {
      if (await moveIfFree(src, dst)) return dst;
    } catch (e) {
      throw describeFsError(e, action, src);
    }
  }
  throw new DatasetEditError(`no free name for ${name} in ${dir}`, 'taken');
}

/** Moves an image of the dataset into another class folder (of the same split: train/ stays train/). */
export async function moveToClass(config: Pick<RunConfigFile, 'folder' | 'layout'>, path: string, className: string): Promise<DatasetEdit> {
  if (!className || className.startsWith('.') || /[\\/]/.test(className)) throw new DatasetEditError(`"${className}" is not a class folder name`, 'bad-input');
  const place = placeOf(config.folder, config.layout, path);
  if (place.className === className) throw new DatasetEditError(`${basename(path)} is already in ${className}`, 'bad-input');
  const to = await moveInto(path, join(place.root, className), basename(path), 'move');
  return { kind: 'move', from: path, to, className };
}

/** Moves an image out of the class folders, into <dataset>/.alexnet/excluded/<its relative path>. */
export async function excludeImage(config: Pick<RunConfigFile, 'folder' | 'layout'>, path: string): Promise<DatasetEdit> {
  placeOf(config.folder, config.layout, path); // only images of the dataset's class folders
  const rel = relative(config.folder, path);
  const to = await moveInto(path, join(config.folder, EXCLUDED_DIR, dirname(rel)), basename(path), 'exclude');
  return { kind: 'exclude', from: path, to };
}

/** Puts the image back where it was; refuses when that name is taken now. */
export async function undoEdit(edit: DatasetEdit): Promise<void> {
  try {
    await stat(edit.to);
  } catch (e) {
    throw describeFsError(e, 'put back', edit.to);
  }
  try {
    await mkdir(dirname(edit.from), { recursive: true });
    if (!(await moveIfFree(edit.to, edit.from))) {
      throw new DatasetEditError(`cannot put ${basename(edit.from)} back: ${edit.from} exists now (not overwritten); it stays at ${edit.to}`, 'taken');
    }
  } catch (e) {
    if (e instanceof DatasetEditError) throw e;
    throw describeFsError(e, 'put back', edit.to);
  }
}

/**
 * The edits made from one run's training view, by the path the run recorded (one at a time per
 * image). With a run folder they are kept in its dataset-edits.json: a reloaded window offers the
 * same Undo. An edit whose image is no longer where the edit put it (moved by hand since) cannot be
 * undone and is dropped on reading, as is one outside the dataset folder (the file is data, not
 * trusted); an unreadable file is ignored and replaced at the next edit.
 */
export class DatasetEditLog {
  private readonly edits = new Map<string, DatasetEdit>();
  private readonly file?: string;

  constructor(kept?: { runDir: string; folder: string }) {
    if (!kept) return;
    this.file = join(kept.runDir, EDIT_LOG_FILE);
    for (const e of readEditLog(this.file)) {
      if (inside(kept.folder, e.from) && inside(kept.folder, e.to) && existsSync(e.to)) this.edits.set(e.from, e);
    }
  }

  get(path: string): DatasetEdit | undefined {
    return this.edits.get(path);
  }

  async move(config: Pick<RunConfigFile, 'folder' | 'layout'>, path: string, className: string): Promise<DatasetEdit> {
    this.assertUnedited(path);
    return this.record(path, await moveToClass(config, path, className));
  }

  async exclude(config: Pick<RunConfigFile, 'folder' | 'layout'>, path: string): Promise<DatasetEdit> {
    this.assertUnedited(path);
    return this.record(path, await excludeImage(config, path));
  }

  async undo(path: string): Promise<DatasetEdit> {
    const edit = this.edits.get(path);
    if (!edit) throw new DatasetEditError(`nothing to undo for ${basename(path)}`, 'bad-input');
    await undoEdit(edit);
    this.edits.delete(path);
    this.save();
    return edit;
  }

  private record(path: string, edit: DatasetEdit): DatasetEdit {
    this.edits.set(path, edit);
    this.save();
    return edit;
  }

  /** The file is only a convenience: the edit itself is done, so a failed write is not an error. */
  private save(): void {
    if (!this.file) return;
    try {
      writeJsonAtomic(this.file, { version: 1, edits: [...this.edits.values()] } satisfies EditLogFile);
    } catch {
      // a read-only run folder: Undo works until the window reloads
    }
  }

  private assertUnedited(path: string): void {
    const e = this.edits.get(path);
    if (e) throw new DatasetEditError(`${basename(path)} was already ${e.kind === 'move' ? `moved to ${e.className}` : 'excluded'}: undo that first`, 'bad-input');
  }
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return !!rel && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The well-formed edits of a dataset-edits.json ([] when there is none or it cannot be read). */
function readEditLog(path: string): DatasetEdit[] {
  if (!existsSync(path)) return [];
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<EditLogFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.edits)) return [];
    return parsed.edits.filter((e): e is DatasetEdit =>
      !!e && (e.kind === 'move' || e.kind === 'exclude') && typeof e.from === 'string' && typeof e.to === 'string' &&
      isAbsolute(e.from) && isAbsolute(e.to) && (e.kind === 'exclude' || typeof e.className === 'string'));
  } catch {
    return [];
  }
}
