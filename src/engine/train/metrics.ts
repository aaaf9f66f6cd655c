// Validation summaries: confusion matrix, per-class precision/recall, example paths per cell.
import type { ConfusionExample } from '../../protocol/engine/train';

export class ConfusionMatrix {
  readonly counts: number[][];
  private examples = new Map<string, string[]>();

  constructor(readonly numClasses: number, private readonly examplesPerCell = 3) {
    this.counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  }

  add(actual: number, predicted: number, path?: string): void {
    this.counts[actual][predicted]++;
    if (path === undefined) return;
    const key = `${actual},${predicted}`;
    const list = this.examples.get(key) ?? [];
    if (list.length < this.examplesPerCell) list.push(path);
    this.examples.set(key, list);
  }

  get total(): number {
    return this.counts.reduce((a, row) => a + row.reduce((b, c) => b + c, 0), 0);
  }

  get accuracy(): number | null {
    const t = this.total;
    return t ? this.counts.reduce((a, row, i) => a + row[i], 0) / t : null;
  }

  /** precision[c] = TP / predicted as c; null when nothing was predicted as c */
  precision(): (number | null)[] {
    return this.counts.map((_, c) => {
      const predicted = this.counts.reduce((a, row) => a + row[c], 0);
      return predicted ? this.counts[c][c] / predicted : null;
    });
  }

  /** recall[c] = TP / actually c; null when the class has no examples */
  recall(): (number | null)[] {
    return this.counts.map((row, c) => {
      const actual = row.reduce((a, b) => a + b, 0);
      return actual ? row[c] / actual : null;
    });
  }

  exampleList(): ConfusionExample[] {
    return [...this.examples.entries()].map(([key, paths]) => {
      const [actual, predicted] = key.split(',').map(Number);
      return { actual, predicted, paths };
    }).sort((a, b) => a.actual - b.actual || a.predicted - b.predicted);
  }
}
