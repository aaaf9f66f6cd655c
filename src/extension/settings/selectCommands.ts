// alexnet.selectVariant, alexnet.selectDevice and alexnet.selectBackend: a quick pick that writes the setting. An
// argument (e.g. executeCommand('alexnet.selectVariant', 'caffe')) skips the pick.
import * as vscode from 'vscode';
import { VARIANTS, type VariantName } from '../../protocol/engine/model';
import * as config from './configuration';

const VARIANT_DETAILS: Record<VariantName, string> = {
  paper: 'Krizhevsky et al. 2012: two towers (grouped conv2/4/5), LRN, 224×224',
  caffe: 'BVLC reference model: 227×227, grouped convolutions, LRN, BGR mean subtraction',
  torchvision: 'single tower 64-192-384-256-256, no LRN (the "one weird trick" AlexNet)',
};

const BACKEND_DETAILS: Record<config.BackendSetting, string> = {
  auto: 'the fastest that loads: GPU, then native CPU, then WebAssembly',
  'tfjs-node-gpu': 'TensorFlow with CUDA 11.2 + cuDNN 8.1',
  'tfjs-node': 'native TensorFlow on the CPU',
  wasm: 'WebAssembly with SIMD; always available',
  cpu: 'pure JavaScript; slow, for checking results',
};

export async function selectVariant(arg?: unknown): Promise<VariantName | undefined> {
  let chosen = typeof arg === 'string' && (VARIANTS as readonly string[]).includes(arg) ? (arg as VariantName) : undefined;
  if (!chosen) {
    const current = config.variant();
    const pick = await vscode.window.showQuickPick(
      VARIANTS.map((v) => ({ label: v, description: v === current ? '(current)' : undefined, detail: VARIANT_DETAILS[v], picked: v === current })),
      { title: 'AlexNet model variant', placeHolder: `Current: ${current}` },
    );
    chosen = pick?.label as VariantName | undefined;
  }
  if (chosen && chosen !== config.variant()) await config.update('variant', chosen);
  return chosen;
}

export async function selectBackend(arg?: unknown): Promise<config.BackendSetting | undefined> {
  let chosen = typeof arg === 'string' && (config.BACKEND_SETTINGS as readonly string[]).includes(arg) ? (arg as config.BackendSetting) : undefined;
  if (!chosen) {
    const current = config.backend();
    const pick = await vscode.window.showQuickPick(
      config.BACKEND_SETTINGS.map((b) => ({ label: b, description: b === current ? '(current)' : undefined, detail: BACKEND_DETAILS[b] })),
      { title: 'Where the AlexNet engine computes', placeHolder: `Current: ${current} (the engine restarts on change)` },
    );
    chosen = pick?.label as config.BackendSetting | undefined;
  }
  if (chosen && chosen !== config.backend()) await config.update('backend', chosen);
  return chosen;
}

const DEVICE_DETAILS: Record<config.DeviceSetting, string> = {
  auto: 'the fastest that passes its self-test: CUDA, then a hardware WebGPU adapter, then the CPU',
  cpu: "ONNX Runtime's CPU provider",
  webgpu: 'WebGPU: Vulkan (Linux), Metal (macOS), Direct3D 12 (Windows); software adapters too',
  cuda: 'NVIDIA CUDA 12 + cuDNN 9 (Check GPU Setup says how to get the provider)',
  directml: 'DirectML (Windows)',
};

/** alexnet.selectDevice: where ONNX Runtime computes (alexnet.device). */
export async function selectDevice(arg?: unknown): Promise<config.DeviceSetting | undefined> {
  let chosen = typeof arg === 'string' && (config.DEVICE_SETTINGS as readonly string[]).includes(arg) ? (arg as config.DeviceSetting) : undefined;
  if (!chosen) {
    const current = config.device();
    const pick = await vscode.window.showQuickPick(
      config.DEVICE_SETTINGS.map((d) => ({ label: d, description: d === current ? '(current)' : undefined, detail: DEVICE_DETAILS[d] })),
      { title: 'Where ONNX Runtime computes', placeHolder: `Current: ${current} (the engine restarts on change; a GPU is self-tested first)` },
    );
    chosen = pick?.label as config.DeviceSetting | undefined;
  }
  if (chosen && chosen !== config.device()) await config.update('device', chosen);
  return chosen;
}
