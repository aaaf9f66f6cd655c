// Whether a shared library loads in this process (the GPU checks: CUDA, cuDNN, Vulkan).
import { existsSync, readdirSync } from 'node:fs';

/** Loads a shared library by name; 'did not self-register' means it loaded (it is no Node addon). */
export function canLoadLibrary(name: string): { ok: boolean; detail: string } {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, name);
    return { ok: true, detail: 'loads' };
  } catch (err) {
    const msg = (err as Error).message;
    if (/did not self-register/i.test(msg)) return { ok: true, detail: 'loads' };
    return { ok: false, detail: msg.replace(/^.*?: /, '') };
  }
}

/** Linux: the GPU device nodes a hardware Vulkan/CUDA driver would open (none in a plain container or VM). */
export function gpuDeviceNodes(): string[] {
  const nodes: string[] = [];
  try {
    if (existsSync('/dev/dri')) nodes.push(...readdirSync('/dev/dri').filter((n) => n.startsWith('renderD')).map((n) => `/dev/dri/${n}`));
  } catch {
    // unreadable: counts as none
  }
  if (existsSync('/dev/nvidia0')) nodes.push('/dev/nvidia0');
  if (existsSync('/dev/dxg')) nodes.push('/dev/dxg'); // WSL2's GPU
  return nodes;
}
