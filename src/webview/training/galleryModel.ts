// Which validation images the gallery and Top losses show, in which order, and how each is
// described. No DOM: unit-tested.
import type { GalleryImage } from '../../protocol/webview/training';

/** Top losses shows this many images (fastai's plot_top_losses shows 9 by default). */
export const TOP_LOSSES = 12;

const byLoss = (a: GalleryImage, b: GalleryImage) => b.loss - a.loss || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The images of one confusion cell, the most confidently wrong (highest loss) first. */
export function cellImages(images: GalleryImage[], actual: number, predicted: number): GalleryImage[] {
  return images.filter((i) => i.actual === actual && i.predicted === predicted).sort(byLoss);
}

/**
 * The images the model is most confidently wrong about: highest loss first, as fastai's
 * plot_top_losses. Misclassified images only (a correct one with a high loss is merely unsure).
 */
export function topLosses(images: GalleryImage[], n = TOP_LOSSES): GalleryImage[] {
  return images.filter((i) => i.actual !== i.predicted).sort(byLoss).slice(0, n);
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** A probability for a label: one decimal near 0 and 1, where it matters. */
export function probability(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p > 0 && p < 0.001) return '<0.1%';
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.1 ? 1 : 0)}%`;
}

/** One line per image: the truth with its probability, and the prediction when it differs. */
export function verdict(img: GalleryImage, classNames: string[]): string {
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  const pPredicted = img.top.find(([c]) => c === img.predicted)?.[1] ?? NaN;
  if (img.actual === img.predicted) return `${name(img.actual)} ${probability(img.pActual)} (correct)`;
  return `true: ${name(img.actual)} ${probability(img.pActual)} · predicted: ${name(img.predicted)} ${probability(pPredicted)}`;
}

/** The top classes as "red 80% · blue 15% · green 5%". */
export function topLine(img: GalleryImage, classNames: string[]): string {
  return img.top.map(([c, p]) => `${classNames[c] ?? `class ${c}`} ${probability(p)}`).join(' · ');
}

/** What was done to an image, in words (null when nothing). */
export function editLine(img: GalleryImage, classNames: string[]): string | null {
  const e = img.edit;
  if (!e) return null;
  if (e.kind === 'exclude') return 'Excluded (in .alexnet/excluded/)';
  const renamed = fileName(e.to) !== fileName(img.path) ? ` as ${fileName(e.to)}` : '';
  return `Moved to ${e.className ?? classNames[img.actual]}${renamed}`;
}
