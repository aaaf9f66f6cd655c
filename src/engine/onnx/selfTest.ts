// Before a GPU device is first used: one forward pass and one training step of fixed nets on a
// fixed batch, on the device and on the CPU EP, in a child process (selfTestChild.ts). The device
// passes when every layer, the loss and every updated parameter agree within tolerance and no
// compute node was silently placed on the CPU EP; the
// adapter it ran on (Linux: the Vulkan loader's "Using ... with driver" line) says whether it is
// a hardware GPU or a software one (lavapipe, SwiftShader).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceId } from './devices';
import type { LayerDiff, SelfTestChildResult } from './selfTestChild';

/** Relative tolerance: max |device - cpu| <= TOLERANCE x max |cpu| per layer (forward), x the CPU's
 * change of each parameter (training step). GPU kernels sum in other orders (and may use FMA):
 * measured on lavapipe, forward <= 2e-6, step <= 3.4e-6 of the change; a wrong kernel is off by 10% or more. */
export const SELF_TEST_TOLERANCE = 1e-3;
/** Ops ORT puts on the CPU on purpose (shape arithmetic), not a fallback of real work. */
const SHAPE_OPS = new Set(['Shape', 'Size']);

export type { SelfTestResult } from '../../protocol/engine/device';
import type { SelfTestResult } from '../../protocol/engine/device';

function childCommand(): { cmd: string; args: string[] } {
  // From sources (tests under tsx) run the .ts through tsx; from the bundle, dist/deviceSelfTest.js.
  if (__filename.endsWith('.ts')) return { cmd: process.execPath, args: ['--import', 'tsx', join(__dirname, 'selfTestChild.ts')] };
  const bundled = join(__dirname, 'deviceSelfTest.js');
  if (!existsSync(bundled)) throw new Error(`${bundled} is missing (the build makes it)`);
  return { cmd: process.execPath, args: [bundled] };
}

/** The adapter the Vulkan loader opened, from its debug log. */
export function parseVulkanAdapter(log: string): { adapter?: string; software?: boolean } {
  const m = /Using "([^"]+)" with driver: "([^"]+)"/.exec(log);
  if (!m) return {};
  return { adapter: `${m[1]} (${m[2]})`, software: /llvmpipe|lavapipe|swiftshader|softpipe|lvp/i.test(`${m[1]} ${m[2]}`) };
}

/** Nodes ORT's verbose log lists under "Node(s) placed on [CPUExecutionProvider]", less shape ops. */
export function parseCpuPlacements(log: string): string[] {
  const out: string[] = [];
  let onCpu = false;
  for (const line of log.split('\n')) {
    if (!/VerifyEachNodeIsAssignedToAnEp\]/.test(line)) {
      onCpu = false;
      continue;
    }
    const header = /placed on \[(\w+)\]/.exec(line);
    if (header) {
      // "All nodes placed on [CPUExecutionProvider]" is the CPU session itself (or a device that took nothing)
      onCpu = header[1] === 'CPUExecutionProvider' && !/All nodes placed/.test(line);
      if (header[1] === 'CPUExecutionProvider' && /All nodes placed/.test(line)) out.push('(every node)');
      continue;
    }
    const node = /\]\s{2,}(\w+) \(([^)]*)\)\s*$/.exec(line);
    if (onCpu && node && !SHAPE_OPS.has(node[1])) out.push(node[2] ? `${node[1]} (${node[2]})` : node[1]);
  }
  return out;
}

export function judge(device: DeviceId, child: SelfTestChildResult, log: string, ms: number): SelfTestResult {
  const vk = parseVulkanAdapter(log);
  const base = { device, ms, ...vk };
  if (!child.ok) return { ...base, ok: false, reason: `the ${device} session failed: ${child.error}`, cpuNodes: [] };
  const cpuNodes = parseCpuPlacements(log);
  const rel = (l: LayerDiff) => (l.maxAbsDiff === 0 ? 0 : l.maxAbsDiff / Math.max(l.scale, 1e-12));
  const worstLayer = [...child.layers].sort((a, b) => rel(b) - rel(a))[0];
  const worst = worstLayer ? { net: worstLayer.net, layer: worstLayer.layer, relError: rel(worstLayer) } : undefined;
  if (cpuNodes.length) {
    const list = cpuNodes.length > 6 ? `${cpuNodes.slice(0, 6).join(', ')} and ${cpuNodes.length - 6} more` : cpuNodes.join(', ');
    return { ...base, ok: false, worst, cpuNodes, reason: `ONNX Runtime placed ${cpuNodes.length} node(s) on the CPU instead of ${device}: ${list}` };
  }
  if (!worst || !(worst.relError <= SELF_TEST_TOLERANCE)) {
    return { ...base, ok: false, worst, cpuNodes, reason: worst ? `${device} differs from the CPU: ${worst.net} ${worst.layer} off by ${worst.relError.toExponential(1)} of its scale (tolerance ${SELF_TEST_TOLERANCE})` : 'no layer was compared' };
  }
  const on = vk.adapter ? ` on ${vk.adapter}` : '';
  const what = child.layers.some((l) => l.kind === 'step') ? 'forward and training step match' : 'forward matches';
  return { ...base, ok: true, worst, cpuNodes, reason: `${what} the CPU${on} (worst ${worst.layer} ${worst.relError.toExponential(1)}), every node on ${device}` };
}

export interface SelfTestOptions {
  /** give up after this long (a hung driver): default 300 s; a cold lavapipe compiles its shaders for ~2 min, a real GPU takes seconds */
  timeoutMs?: number;
}

/** Runs the self-test for `device` in a child process. Never throws: a failure is a result. */
export function runSelfTest(device: DeviceId, opts: SelfTestOptions = {}): Promise<SelfTestResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let cmd: { cmd: string; args: string[] };
    try {
      cmd = childCommand();
    } catch (e) {
      resolve({ device, ok: false, reason: (e as Error).message, cpuNodes: [], ms: 0 });
      return;
    }
    const child = spawn(cmd.cmd, [...cmd.args, device], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...(process.platform === 'linux' ? { VK_LOADER_DEBUG: 'driver' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ device, ok: false, reason: `the self-test process did not start: ${e.message}`, cpuNodes: [], ms: Math.round(performance.now() - t0) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - t0);
      const line = out.split('\n').find((l) => l.startsWith('SELFTEST '));
      if (!line) {
        const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? ', timed out' : ''})` : `exited with ${code}`;
        const tail = (err.trim().split('\n').filter((l) => !/^(DRIVER|INFO|DEBUG|LAYER|WARNING)/.test(l)).pop() ?? '').slice(0, 300);
        resolve({ device, ok: false, reason: `the ${device} self-test process ${why}${tail ? `: ${tail}` : ''}`, cpuNodes: [], ms, ...parseVulkanAdapter(err + out) });
        return;
      }
      resolve(judge(device, JSON.parse(line.slice('SELFTEST '.length)) as SelfTestChildResult, err + out, ms));
    });
  });
}

const cache = new Map<DeviceId, Promise<SelfTestResult>>();

/** The self-test once per process and device. */
export function selfTestOnce(device: DeviceId, opts?: SelfTestOptions): Promise<SelfTestResult> {
  let p = cache.get(device);
  if (!p) {
    p = runSelfTest(device, opts);
    cache.set(device, p);
  }
  return p;
}
