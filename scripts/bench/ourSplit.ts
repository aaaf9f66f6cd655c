// Prints our trainer's train/val split of a folder as JSON ({ classNames, train, val }: [path, label]
// pairs), with the seed and validation fraction a run used, so scripts/bench/small_data_recipe.py
// can train PyTorch on the same images (its --val-from RUN_DIR).
//   node_modules/.bin/tsx scripts/bench/ourSplit.ts FOLDER SEED VAL_FRACTION
import { scanDataset } from '../../src/engine/train/dataset';

const [folder, seed, valFraction] = process.argv.slice(2);
const pairs = (items: { path: string; label: number }[]) => items.map((i) => [i.path, i.label]);
void scanDataset(folder, { seed: Number(seed), valFraction: Number(valFraction) }).then((d) => {
  process.stdout.write(JSON.stringify({ classNames: d.classNames, train: pairs(d.train), val: pairs(d.val) }));
});
