// Finds the images of a training folder and splits them, before any training starts.
// Layouts (torchvision's ImageFolder): <folder>/<class>/**/<image>, or <folder>/train/<class>/...
// with an optional <folder>/val/<class>/... . Without val/, a stratified fraction of each class is
// held out with a fixed seed. Each file's signature, header and end marker are checked here
// (image/check.ts), so damaged images are listed at the scan; a class folder without a usable image
// is not a class. Nothing in the folder is changed.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { checkImage } from '../image/check';
import { VAL_FOLDER_NAMES, type DatasetSummary, type SkippedFile } from '../../protocol/engine/train';
import { RNG, rngFor } from './rng';

export interface LabelledImage {
  path: string;
  label: number;
}

export interface Dataset {
  summary: DatasetSummary;
  classNames: string[];
  train: LabelledImage[];
  val: LabelledImage[];
}


async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Every file under dir (recursively), sorted, so the order never depends on the file system. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile() || e.isSymbolicLink()) out.push(p);
  }
  return out;
}

/** Says why the file is not an image we can decode (undefined when it looks fine). */
async function sniffProblem(path: string): Promise<SkippedFile | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    return { path, code: 'unreadable', reason: `cannot be read (${(e as Error).message})` };
  }
  const problem = await checkImage(buf);
  return problem ? { path, code: problem.code, reason: problem.message } : undefined;
}

/** Sniffs files with a little concurrency (it is I/O). */
async function sniffAll(paths: string[]): Promise<(SkippedFile | undefined)[]> {
  const out: (SkippedFile | undefined)[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      out[i] = await sniffProblem(paths[i]);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

async function classDirs(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** Images per class under root; loose files at the top level are reported, not used. */
async function collect(root: string, classes: string[], skipped: SkippedFile[]): Promise<Map<string, string[]>> {
  const byClass = new Map<string, string[]>();
  const top = await readdir(root, { withFileTypes: true });
  for (const e of top) {
    if (e.isFile() && !e.name.startsWith('.')) skipped.push({ path: join(root, e.name), code: 'not-in-class-folder', reason: 'a file outside any class folder' });
  }
  for (const c of classes) {
    const dir = join(root, c);
    const files = (await isDir(dir)) ? await listFiles(dir) : [];
    const problems = await sniffAll(files);
    const ok: string[] = [];
    files.forEach((f, i) => (problems[i] ? skipped.push(problems[i]!) : ok.push(f)));
    byClass.set(c, ok);
  }
  return byClass;
}

/**
 * Stratified split: per class, a seeded shuffle of the (sorted) files, the first
 * round(n * valFraction) go to validation; a class keeps at least one training image.
 */
export function stratifiedSplit(byClass: string[][], valFraction: number, seed: number): { train: LabelledImage[]; val: LabelledImage[] } {
  const train: LabelledImage[] = [];
  const val: LabelledImage[] = [];
  byClass.forEach((files, label) => {
    const order = rngFor(seed, RNG.split, label).shuffle([...files].sort());
    let nVal = Math.round(order.length * valFraction);
    if (valFraction > 0 && nVal === 0 && order.length >= 2) nVal = 1;
    nVal = Math.min(nVal, Math.max(0, order.length - 1));
    order.forEach((path, i) => (i < nVal ? val : train).push({ path, label }));
  });
  const byPath = (a: LabelledImage, b: LabelledImage) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { train: train.sort(byPath), val: val.sort(byPath) };
}

export async function scanDataset(folder: string, opts: { valFraction?: number; seed?: number } = {}): Promise<Dataset> {
  const valFraction = opts.valFraction ?? 0.2;
  const seed = opts.seed ?? 42;
  if (!(await isDir(folder))) throw Object.assign(new Error(`${folder} is not a folder`), { code: 'bad-input' });
  const skipped: SkippedFile[] = [];
  const warnings: string[] = [];
  const trainRoot = join(folder, 'train');
  let valRoot: string | undefined;
  for (const n of VAL_FOLDER_NAMES) if (!valRoot && (await isDir(join(folder, n)))) valRoot = join(folder, n);
  const split = await isDir(trainRoot);
  const layout: DatasetSummary['layout'] = split ? 'split-folders' : 'class-folders';

  const root = split ? trainRoot : folder;
  const folders = (await classDirs(root)).filter((c) => split || !(c === 'train' || VAL_FOLDER_NAMES.includes(c)));
  const trainByClass = await collect(root, folders, skipped);
  // a folder without one usable training image is not a class (it would be an output nothing teaches)
  const emptyClasses = folders.filter((c) => trainByClass.get(c)!.length === 0);
  const classNames = folders.filter((c) => !emptyClasses.includes(c));
  if (emptyClasses.length) warnings.push(`${emptyClasses.length === 1 ? 'folder' : 'folders'} without usable images, not used as classes: ${emptyClasses.join(', ')}`);
  let train: LabelledImage[];
  let val: LabelledImage[];
  const unknownValClasses: string[] = [];
  if (split && valRoot) {
    const valClasses = await classDirs(valRoot);
    for (const c of valClasses) if (!classNames.includes(c)) unknownValClasses.push(c);
    const valByClass = await collect(valRoot, classNames, skipped);
    train = classNames.flatMap((c, label) => trainByClass.get(c)!.map((path) => ({ path, label })));
    val = classNames.flatMap((c, label) => valByClass.get(c)!.map((path) => ({ path, label })));
    if (unknownValClasses.length) warnings.push(`val/ has class folders that train/ lacks (ignored): ${unknownValClasses.join(', ')}`);
  } else {
    ({ train, val } = stratifiedSplit(classNames.map((c) => trainByClass.get(c)!), valFraction, seed));
    if (split) warnings.push(`no val/ folder next to train/: holding out ${Math.round(valFraction * 100)}% of each class`);
  }

  const classes = classNames.map((name, label) => ({
    name,
    train: train.filter((t) => t.label === label).length,
    val: val.filter((t) => t.label === label).length,
  }));
  const smallClasses = classes.filter((c) => c.train + c.val <= 1).map((c) => ({ name: c.name, images: c.train + c.val }));
  for (const c of smallClasses) warnings.push(`class '${c.name}' has ${c.images === 0 ? 'no images' : 'only one image'}`);
  const usable = classes.filter((c) => c.train > 0).length;
  if (folders.length === 0) warnings.push(`no class folders in ${root}: expected one subfolder per class`);
  else if (usable < 2) warnings.push('at least two classes with training images are needed');
  if (val.length === 0 && usable >= 2) warnings.push('no validation images: accuracy cannot be measured, the lr schedule follows the training loss');
  if (skipped.length) warnings.push(`${skipped.length} file(s) are not usable images and will be skipped`);

  const summary: DatasetSummary = {
    folder,
    emptyClasses,
    layout,
    classes,
    trainCount: train.length,
    valCount: val.length,
    skipped,
    smallClasses,
    unknownValClasses,
    warnings,
    trainable: usable >= 2,
  };
  return { summary, classNames, train, val };
}

/** For messages: the path relative to the dataset folder. */
export function shortPath(folder: string, path: string): string {
  return relative(folder, path) || path;
}
