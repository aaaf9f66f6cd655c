// Which tfjs backend the engine computes on (chosen in src/engine/backend/select.ts): what the
// host's status bar shows and the CLI prints.
export type BackendPreference = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendPreference, 'auto'>;
export const BACKEND_ORDER: readonly BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendReport {
  preference: BackendPreference;
  /** the chosen candidate */
  chosen: BackendName;
  /** tf.getBackend() */
  tfBackend: string;
  kind: 'gpu' | 'native-cpu' | 'wasm' | 'js-cpu';
  /** e.g. "WebAssembly (SIMD, 2 threads)" */
  label: string;
  threads?: number;
  simd?: boolean;
  /** where the .wasm files were loaded from (wasm only) */
  wasmDir?: string;
  /** candidates tried before the chosen one, and why each was passed over */
  skipped: { name: string; reason: string }[];
  /** things worth showing that did not stop the backend (e.g. threads fell back to 1) */
  notes: string[];
}
