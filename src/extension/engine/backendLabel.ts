// Short words for where the engine computes (status bar): GPU, CPU (native TensorFlow), WASM or
// JS, from the engine's backend report.
import type { BackendReport } from '../../protocol/engine/backend';

export type BackendKind = 'GPU' | 'CPU' | 'WASM' | 'JS';

const KIND_WORDS: Record<BackendReport['kind'], BackendKind> = { gpu: 'GPU', 'native-cpu': 'CPU', wasm: 'WASM', 'js-cpu': 'JS' };

export function backendKind(report: Pick<BackendReport, 'kind'>): BackendKind {
  return KIND_WORDS[report.kind];
}

/** "WASM ×2", "GPU", ...; undefined before the engine has started. */
export function describeBackend(report: Pick<BackendReport, 'kind' | 'threads'> | undefined): string | undefined {
  if (!report) return undefined;
  const threads = report.kind === 'wasm' && report.threads && report.threads > 1 ? ` ×${report.threads}` : '';
  return `${backendKind(report)}${threads}`;
}

/** Why the engine is not on a faster backend, for tooltips. */
export function backendNotes(report: Pick<BackendReport, 'skipped' | 'notes'> | undefined): string[] {
  if (!report) return [];
  return [...report.skipped.map((s) => `${s.name} skipped: ${s.reason}`), ...report.notes];
}
