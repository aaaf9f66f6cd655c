// Messages between the weights-file viewer (custom editor) and its page (src/webview/modelFile/).
import type { ModelFileComparison, ModelFileReport } from '../engine/modelFiles';
import type { WebviewProtocol } from './protocol';

export type HostToWebview =
  | { type: 'progress'; done: number; total?: number; message?: string }
  | { type: 'report'; report: ModelFileReport; fileName: string }
  | { type: 'comparison'; comparison: ModelFileComparison; otherName: string }
  | { type: 'error'; message: string };

export type ModelFileAction = 'useWeights' | 'classify' | 'compare' | 'export';

export type WebviewToHost = { type: 'ready' } | { type: 'action'; action: ModelFileAction };

/** The editor's and the page's messages; the page saves no state (SingletonPanel, bootWebview). */
export type ModelFileProtocol = WebviewProtocol<HostToWebview, WebviewToHost, Record<string, never>>;
