// Where ONNX Runtime computes: the devices (execution providers) this machine could use, why each
// is or is not usable, the session options for one, and the automatic choice (cuda, then a
// hardware WebGPU adapter, then cpu). Whether a GPU device really computes right is the
// self-test's business (selfTest.ts); this file only looks, it starts nothing on a GPU.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canLoadLibrary, gpuDeviceNodes } from '../nativeLibrary';
import { loadOrt } from './runtime';

export { DEVICE_IDS, DEVICE_PREFERENCES, AUTO_ORDER, sessionOptionsFor } from './sessionOptions';
export type { DeviceId, DevicePreference, SessionBase } from './sessionOptions';
import { DEVICE_IDS, DEVICE_PREFERENCES, type DeviceId, type DevicePreference } from './sessionOptions';

export const DEVICE_LABELS: Record<DeviceId, string> = {
  cpu: 'CPU',
  webgpu: 'WebGPU',
  cuda: 'CUDA',
  directml: 'DirectML',
};

export type { DeviceProbe } from '../../protocol/engine/device';
import type { DeviceProbe } from '../../protocol/engine/device';

export interface OrtInfo {
  ok: boolean;
  version?: string;
  /** ORT's own list: each execution provider and whether the npm package ships it */
  backends: { name: string; bundled: boolean }[];
  /** folder of the native binding (where the CUDA provider libraries go) */
  binDir?: string;
  reason?: string;
}

export function isDevicePreference(v: unknown): v is DevicePreference {
  return typeof v === 'string' && (DEVICE_PREFERENCES as readonly string[]).includes(v);
}

export function ortInfo(): OrtInfo {
  try {
    const ort = loadOrt() as unknown as { env: { versions?: Record<string, string> }; listSupportedBackends?: () => { name: string; bundled: boolean }[] };
    let binDir: string | undefined;
    try {
      binDir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
    } catch {
      // bundled without its package.json: the CUDA hint names no folder
    }
    return { ok: true, version: ort.env.versions?.node ?? ort.env.versions?.common, backends: ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }], binDir };
  } catch (e) {
    return { ok: false, backends: [], reason: (e as Error).message };
  }
}

const CUDA_SYSTEM_LIBS = ['libcuda.so.1', 'libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcufft.so.11', 'libcudnn.so.9'];
const CUDA_PROVIDER_LIBS = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

/** Exactly how to get ORT's CUDA EP (the npm package does not ship it), offline too. */
export function cudaFix(info: OrtInfo): string {
  const v = info.version ?? '1.30.0';
  const dir = info.binDir ?? 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64';
  return (
    `ONNX Runtime's CUDA provider comes from the NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux ${v} (the same version as onnxruntime-node): ` +
    `download https://www.nuget.org/api/v2/package/Microsoft.ML.OnnxRuntime.Gpu.Linux/${v} (a zip; for an offline machine, copy it over), unzip it and copy ` +
    `runtimes/linux-x64/native/libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so into ${dir}. ` +
    `Online, \`node ${join(dirname(dirname(dirname(dirname(dir)))), 'script', 'install')} --onnxruntime-node-install=cuda12\` does the same. ` +
    'It needs the NVIDIA driver, CUDA 12 (libcudart.so.12, cuBLAS, cuFFT: NVIDIA\'s cuda-libraries-12-x, or pip\'s nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cufft-cu12) ' +
    'and cuDNN 9 for CUDA 12 (cudnn9-cuda-12, or pip\'s nvidia-cudnn-cu12), their lib folders on LD_LIBRARY_PATH. Then restart the engine.'
  );
}

function probeCuda(info: OrtInfo): DeviceProbe {
  const id = 'cuda';
  if (process.platform !== 'linux' || process.arch !== 'x64') return { id, available: false, reason: `ORT's CUDA provider for Node is built for linux-x64 only (this is ${process.platform}-${process.arch})` };
  const fix = cudaFix(info);
  const missingProvider = CUDA_PROVIDER_LIBS.filter((f) => !info.binDir || !existsSync(join(info.binDir, f)));
  if (missingProvider.length) return { id, available: false, reason: `ORT's CUDA provider is not installed (${missingProvider.join(', ')} not in ${info.binDir ?? 'the onnxruntime-node folder'})`, fix };
  const missing = CUDA_SYSTEM_LIBS.map((l) => ({ l, r: canLoadLibrary(l) })).filter((x) => !x.r.ok);
  if (missing.length) return { id, available: false, reason: `CUDA 12 / cuDNN 9 libraries do not load: ${missing.map((m) => m.l).join(', ')}`, fix };
  return { id, available: true, reason: `provider installed; ${CUDA_SYSTEM_LIBS.join(', ')} load` };
}

function probeWebgpu(info: OrtInfo): DeviceProbe {
  const id = 'webgpu';
  if (!info.backends.some((b) => b.name === 'webgpu')) return { id, available: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no WebGPU provider` };
  if (process.platform === 'linux') {
    const vk = canLoadLibrary('libvulkan.so.1');
    if (!vk.ok) return { id, available: false, reason: `no Vulkan loader (libvulkan.so.1: ${vk.detail})`, fix: 'Install your GPU\'s Vulkan driver and the loader (Debian/Ubuntu: libvulkan1 and mesa-vulkan-drivers or the NVIDIA driver).' };
    const nodes = gpuDeviceNodes();
    return { id, available: true, reason: nodes.length ? `Vulkan loader present; GPU device nodes: ${nodes.join(', ')}` : 'Vulkan loader present, but no GPU device node (/dev/dri/renderD*, /dev/nvidia0): only a software driver (lavapipe) can answer' };
  }
  return { id, available: true, reason: process.platform === 'darwin' ? 'WebGPU on Metal' : 'WebGPU on Direct3D 12' };
}

function probeDirectml(info: OrtInfo): DeviceProbe {
  const id = 'directml';
  if (process.platform !== 'win32') return { id, available: false, reason: 'DirectML is Windows only' };
  if (!info.backends.some((b) => b.name === 'dml')) return { id, available: false, reason: 'this onnxruntime-node build has no DirectML provider' };
  return { id, available: true, reason: 'DirectML provider bundled' };
}

/** Every device, looked at without running anything on it. */
export function probeDevices(info: OrtInfo = ortInfo()): DeviceProbe[] {
  if (!info.ok) return DEVICE_IDS.map((id) => ({ id, available: false, reason: info.reason ?? 'onnxruntime-node does not load' }));
  return [{ id: 'cpu', available: true, reason: `ONNX Runtime ${info.version} CPU provider` }, probeWebgpu(info), probeCuda(info), probeDirectml(info)];
}

/**
 * Linux without a GPU device node: a WebGPU adapter there can only be software (lavapipe,
 * SwiftShader), so 'auto' need not start one to find out.
 */
export function webgpuCanBeHardware(): boolean {
  return process.platform !== 'linux' || gpuDeviceNodes().length > 0;
}
