// Where ONNX Runtime computes (chosen in src/engine/onnx/deviceChoice.ts after each GPU device's
// self-test): what the host's status bar and GPU setup view show and the CLI prints.
export const DEVICE_IDS = ['cpu', 'webgpu', 'cuda', 'directml'] as const;
export type DeviceId = (typeof DEVICE_IDS)[number];
export type DevicePreference = 'auto' | DeviceId;
export const DEVICE_PREFERENCES: readonly DevicePreference[] = ['auto', ...DEVICE_IDS];

export interface DeviceProbe {
  id: DeviceId;
  /** usable as far as can be seen without running it (the self-test decides the rest) */
  available: boolean;
  /** why not, or what was found */
  reason: string;
  /** what to do to make it available */
  fix?: string;
}

export interface SelfTestResult {
  device: DeviceId;
  ok: boolean;
  /** why it failed, or a one-line summary when it passed */
  reason: string;
  /** the GPU adapter, when the log names it */
  adapter?: string;
  /** the adapter is a CPU emulation (lavapipe, llvmpipe, SwiftShader) */
  software?: boolean;
  /** compute nodes ORT placed on the CPU EP instead of the device */
  cpuNodes: string[];
  /** the worst layer, relative to its scale */
  worst?: { net: string; layer: string; relError: number };
  ms: number;
}

export interface DeviceReport {
  preference: DevicePreference;
  chosen: DeviceId;
  /** e.g. "WebGPU (llvmpipe (LLVM 15.0.6, 256 bits), software)" or "CPU" */
  label: string;
  /** devices tried before the chosen one, and why each was passed over */
  skipped: { id: DeviceId; reason: string }[];
  /** every device, as seen without running it */
  probes: DeviceProbe[];
  /** self-tests that ran (the chosen GPU device's, and those that failed) */
  selfTests: SelfTestResult[];
  ort: { ok: boolean; version?: string; backends: { name: string; bundled: boolean }[]; reason?: string };
}
