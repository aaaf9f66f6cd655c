// Classification results as CSV (Export CSV) and JSON (Copy as JSON), and the folders a results
// page must be allowed to read. No vscode: unit-tested.
import { dirname, sep } from 'node:path';
import type { ClassifyItem } from '../../protocol/engine';

export interface ExportContext {
  variant: string;
  weightsLabel: string;
  untrained: boolean;
  backend: string;
}

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per image: path, status, then label/synset/probability for each of the top K. */
export function resultsToCsv(items: readonly ClassifyItem[], topK: number): string {
  const header = ['path', 'status', 'error'];
  for (let k = 1; k <= topK; k++) header.push(`label_${k}`, `synset_${k}`, `probability_${k}`);
  const lines = [header.join(',')];
  for (const item of items) {
    const row: (string | number)[] = [item.path, item.ok ? 'ok' : item.code, item.ok ? '' : item.error];
    for (let k = 0; k < topK; k++) {
      const p = item.ok ? item.predictions[k] : undefined;
      row.push(p?.label ?? '', p?.synset ?? '', p ? p.probability : '');
    }
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function resultsToJson(items: readonly ClassifyItem[], context: ExportContext): string {
  return JSON.stringify({ model: context, results: items }, null, 2);
}

/** The image folders, without any folder that lies inside another one listed. */
export function imageRoots(paths: readonly string[]): string[] {
  const dirs = [...new Set(paths.map((p) => dirname(p)))].sort();
  const roots: string[] = [];
  for (const d of dirs) if (!roots.some((r) => d === r || d.startsWith(r.endsWith(sep) ? r : r + sep))) roots.push(d);
  return roots;
}

/** The deepest folder that holds every path. */
export function commonFolder(paths: readonly string[]): string {
  if (!paths.length) return '';
  let parts = dirname(paths[0]).split(sep);
  for (const p of paths.slice(1)) {
    const q = dirname(p).split(sep);
    let k = 0;
    while (k < parts.length && k < q.length && parts[k] === q[k]) k++;
    parts = parts.slice(0, k);
  }
  return parts.join(sep) || sep;
}
