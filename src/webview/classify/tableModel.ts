// The folder results table's logic, apart from the DOM (unit-tested): the summary line, the
// accuracy against folder names, the filter and the column sorts.
import type { ResultRow, ResultsView } from '../../protocol/webview/classify';

export type SortKey = 'file' | 'folder' | 'top1' | 'probability' | 'match';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

export function relOf(row: ResultRow): string {
  return row.rel ?? row.name;
}

function top1(row: ResultRow): { label: string; probability: number } | undefined {
  return row.ok ? row.predictions[0] : undefined;
}

export interface Summary {
  images: number;
  failed: number;
  /** distinct top-1 classes */
  classesPredicted: number;
  seconds: number;
  /** over the rows whose folder names a class of the model */
  accuracy?: { correct: number; total: number; mismatches: number };
}

export function summarise(view: ResultsView): Summary {
  const ok = view.rows.filter((r) => r.ok);
  const predicted = new Set(ok.map((r) => top1(r)?.label).filter((l): l is string => l !== undefined));
  const judged = view.rows.filter((r) => r.ok && r.match !== undefined) as (ResultRow & { match: boolean })[];
  const correct = judged.filter((r) => r.match).length;
  return {
    images: view.rows.length,
    failed: view.rows.length - ok.length,
    classesPredicted: predicted.size,
    seconds: view.totalMs / 1000,
    ...(view.folderAccuracy && judged.length ? { accuracy: { correct, total: judged.length, mismatches: judged.length - correct } } : {}),
  };
}

export function summaryText(s: Summary): string {
  const parts = [`${s.images} images`, `${s.classesPredicted} ${s.classesPredicted === 1 ? 'class' : 'classes'} predicted`, `${s.seconds.toFixed(1)} s`];
  if (s.failed) parts.push(`${s.failed} unreadable`);
  if (s.accuracy) parts.push(`top-1 matches the folder for ${s.accuracy.correct} of ${s.accuracy.total} (${((100 * s.accuracy.correct) / s.accuracy.total).toFixed(1)}%)`);
  return parts.join(' · ');
}

/** Rows whose path, folder, top-1 label or error contain every word of the query (any case). */
export function filterRows(rows: readonly ResultRow[], query: string): ResultRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...rows];
  return rows.filter((r) => {
    const text = [relOf(r), r.folderClass ?? '', r.ok ? r.predictions.map((p) => p.label).slice(0, 1).join(' ') : r.error].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
// mismatches first, then rows without a verdict, then matches; failed rows last
const matchRank = (r: ResultRow) => (!r.ok ? 3 : r.match === false ? 0 : r.match === undefined ? 1 : 2);

export function compareRows(a: ResultRow, b: ResultRow, key: SortKey): number {
  switch (key) {
    case 'file':
      return collator.compare(relOf(a), relOf(b));
    case 'folder':
      return collator.compare(a.folderClass ?? '', b.folderClass ?? '') || collator.compare(relOf(a), relOf(b));
    case 'top1':
      return collator.compare(top1(a)?.label ?? '\uffff', top1(b)?.label ?? '\uffff') || collator.compare(relOf(a), relOf(b));
    case 'probability':
      return (top1(a)?.probability ?? -1) - (top1(b)?.probability ?? -1) || collator.compare(relOf(a), relOf(b));
    case 'match':
      return matchRank(a) - matchRank(b) || collator.compare(relOf(a), relOf(b));
  }
}

export function sortRows(rows: readonly ResultRow[], sort: Sort): ResultRow[] {
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => sign * compareRows(a, b, sort.key));
}

/** Mismatches first when there is an accuracy to speak of; otherwise by path. */
export function defaultSort(view: ResultsView): Sort {
  return view.folderAccuracy ? { key: 'match', descending: false } : { key: 'file', descending: false };
}
