// Short words for where the engine computes (status bar, result view): GPU, CPU (native),
// WASM or JS. Reads the engine's backend report loosely, by the tfjs backend name it carries.
import type { EngineStatus } from './engine/protocol';

export type BackendKind = 'GPU' | 'CPU' | 'WASM' | 'JS';

/** Maps a tfjs backend name ('tensorflow', 'wasm', 'cpu', 'webgpu') or our preference name. */
export function backendKind(name: string, gpu = false): BackendKind | undefined {
  const n = name.toLowerCase();
  if (gpu || n.includes('gpu')) return 'GPU';
  if (n === 'tensorflow' || n === 'tfjs-node') return 'CPU';
  if (n.includes('wasm')) return 'WASM';
  if (n === 'cpu') return 'JS';
  return undefined;
}

export function describeBackend(report: EngineStatus['backend'] | undefined): string | undefined {
  if (!report) return undefined;
  const r = report as unknown as Record<string, unknown>;
  const name = [r.name, r.backend, r.active, r.kind].find((v): v is string => typeof v === 'string');
  const label = typeof r.label === 'string' ? r.label : undefined;
  const kind = name ? backendKind(name, r.gpu === true) : undefined;
  if (!kind) return label ?? name;
  const threads = typeof r.threads === 'number' && r.threads > 1 ? ` ×${r.threads}` : '';
  return `${kind}${threads}`;
}
