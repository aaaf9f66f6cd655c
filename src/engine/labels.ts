// The 1000 ILSVRC-2012 classes in output-index order (weights/imagenet_classes.json, made from
// Caffe's synset_words.txt). `name` is the first synonym, which is torchvision's short label
// ("crane" and "maillot" appear twice: the synset tells them apart); `description` is the
// whole synonym list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { weightsDataFile } from './weights/dataDir';

export interface ImagenetLabel {
  synset: string;
  name: string;
  description: string;
}

const cache = new Map<string, ImagenetLabel[]>();
let defaultPath: string | undefined;

/** The labels from `dataDir`/imagenet_classes.json (default: the weights/ folder beside the code). */
export function imagenetLabels(dataDir?: string): ImagenetLabel[] {
  const path = dataDir ? join(dataDir, 'imagenet_classes.json') : (defaultPath ??= weightsDataFile('imagenet_classes.json'));
  let cached = cache.get(path);
  if (!cached) {
    const rows = JSON.parse(readFileSync(path, 'utf8')) as ImagenetLabel[];
    if (!Array.isArray(rows) || rows.length !== 1000) throw new Error(`${path}: expected 1000 classes`);
    // Shared by every caller: frozen so that one cannot edit the others' labels.
    cached = Object.freeze(rows.map((r) => Object.freeze(r))) as ImagenetLabel[];
    cache.set(path, cached);
  }
  return cached;
}
