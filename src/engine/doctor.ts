// `alexnet doctor` / "AlexNet: Check GPU Setup": ONNX Runtime (version, execution providers) and
// every device it could compute on (onnx/devices.ts, with each GPU device's self-test), then the
// optional tfjs backends and what to install for the missing pieces. tfjs-node-gpu 4.22 runs
// libtensorflow 2.9.1, which needs CUDA 11.2 and cuDNN 8.1 exactly (CUDA 12+ alone fails on
// libcudart.so.11.0).
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { probeBackends, type BackendReport } from './backend/select';
import { canLoadLibrary } from './nativeLibrary';
import { DEVICE_LABELS, webgpuCanBeHardware, type DeviceId } from './onnx/devices';
import { chooseDevice } from './onnx/deviceChoice';
import type { DeviceReport } from '../protocol/engine/device';
import { selfTestOnce } from './onnx/selfTest';
import type { SelfTestResult } from '../protocol/engine/device';

export { canLoadLibrary };

// The report's shape is a protocol type (the host shows it).
import type { CheckStatus, DoctorCheck, DoctorDevice, DoctorReport } from '../protocol/engine/doctor';
export type { CheckStatus, DoctorCheck, DoctorDevice, DoctorReport };

export interface DoctorOptions {
  /** stand-in for the self-test (tests) */
  selfTest?: (d: DeviceId) => Promise<SelfTestResult>;
  canBeHardware?: () => boolean;
}

async function doctorDevices(report: DeviceReport, selfTest: (d: DeviceId) => Promise<SelfTestResult>, canBeHardware: () => boolean): Promise<DoctorDevice[]> {
  const out: DoctorDevice[] = [];
  for (const p of report.probes) {
    const base = { id: p.id, chosen: report.chosen === p.id, ...(p.fix ? { fix: p.fix } : {}) };
    if (!p.available || p.id === 'cpu') {
      out.push({ ...base, available: p.available, reason: p.reason });
      continue;
    }
    let st = report.selfTests.find((t) => t.device === p.id);
    if (!st && p.id === 'webgpu' && !canBeHardware()) {
      // only a software adapter can answer here (a cold lavapipe compiles shaders for minutes): say so, test it when chosen
      out.push({ ...base, available: true, software: true, reason: `${p.reason}; not self-tested here (it runs when the device is set to webgpu)` });
      continue;
    }
    st ??= await selfTest(p.id);
    out.push({ ...base, available: st.ok, reason: st.ok ? `${p.reason}; self-test: ${st.reason}` : `self-test failed: ${st.reason}`, adapter: st.adapter, software: st.software });
  }
  return out;
}

const TFJS_VERSION = '4.22.0';
const CUDA_FIX =
  'tfjs-node-gpu 4.22 needs CUDA 11.2 and cuDNN 8.1 (libtensorflow 2.9.1): install cuda-toolkit-11-2 / the CUDA 11.2 runtime and cuDNN 8.1 for CUDA 11.x from NVIDIA, and make sure their lib64 folders are on LD_LIBRARY_PATH (or in ldconfig).';

function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ ok: !err, out: (stdout || stderr || (err ? err.message : '')).trim() });
    });
  });
}

function packageVersion(name: string): { installed: boolean; version?: string; dir?: string; error?: string } {
  try {
    const pkgPath = require.resolve(`${name}/package.json`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require(pkgPath) as { version: string }).version;
    return { installed: true, version, dir: dirname(pkgPath) };
  } catch (err) {
    return { installed: false, error: (err as Error).message.split('\n')[0] };
  }
}

export async function runDoctor(backend: BackendReport, installDir: string, device?: DeviceReport, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  device ??= await chooseDevice('auto', opts.selfTest ? { selfTest: opts.selfTest } : {});
  const ort = device.ort;
  checks.push(
    ort.ok
      ? { name: 'ONNX Runtime (onnxruntime-node)', status: 'ok', found: `${ort.version}; execution providers: ${ort.backends.map((b) => `${b.name}${b.bundled ? '' : ' (not bundled)'}`).join(', ')}` }
      : { name: 'ONNX Runtime (onnxruntime-node)', status: 'missing', found: ort.reason ?? 'does not load', fix: `Reinstall the extension (or \`npm ci\` in ${installDir}); ORT 1.30 ships no macOS x64 build, where the engine computes on tfjs.` },
  );
  const devices = await doctorDevices(device, opts.selfTest ?? ((d) => selfTestOnce(d)), opts.canBeHardware ?? webgpuCanBeHardware);
  for (const d of devices) {
    const status: CheckStatus = d.available ? (d.software ? 'warn' : 'ok') : d.id === 'directml' && process.platform !== 'win32' ? 'info' : 'missing';
    checks.push({ name: `device ${d.id} (${DEVICE_LABELS[d.id]})${d.chosen ? ': in use' : ''}`, status, found: d.software ? `${d.reason} (a software adapter: slower than the CPU)` : d.reason, ...(d.fix && !d.available ? { fix: d.fix } : {}) });
  }
  checks.push({
    name: 'ONNX Runtime device',
    status: 'info',
    found: `${device.label} (setting: ${device.preference})${device.skipped.length ? ` — skipped: ${device.skipped.map((s) => `${s.id} (${s.reason})`).join('; ')}` : ''}`,
  });

  const smi = await run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']);
  checks.push(
    smi.ok
      ? { name: 'NVIDIA driver (nvidia-smi)', status: 'ok', found: smi.out }
      : {
          name: 'NVIDIA driver (nvidia-smi)',
          status: 'missing',
          found: /ENOENT/.test(smi.out) ? 'nvidia-smi not found: no NVIDIA driver on this machine' : smi.out,
          fix: 'Install the NVIDIA driver for your GPU (e.g. Debian/Ubuntu: nvidia-driver). Without a GPU the engine runs on the CPU.',
        },
  );

  const cudart11 = canLoadLibrary('libcudart.so.11.0');
  const ldconfig = await run('ldconfig', ['-p']);
  const others = (ldconfig.out.match(/libcudart\.so\.[0-9.]+/g) ?? []).filter((v, i, a) => a.indexOf(v) === i);
  checks.push(
    cudart11.ok
      ? { name: 'CUDA 11 runtime (libcudart.so.11.0)', status: 'ok', found: 'loads' }
      : {
          name: 'CUDA 11 runtime (libcudart.so.11.0)',
          status: 'missing',
          found: `${cudart11.detail}${others.length ? `; other CUDA runtimes found: ${others.join(', ')} (tfjs-node-gpu cannot use them)` : ''}`,
          fix: CUDA_FIX,
        },
  );
  const cudnn = canLoadLibrary('libcudnn.so.8');
  checks.push(
    cudnn.ok
      ? { name: 'cuDNN 8 (libcudnn.so.8)', status: 'ok', found: 'loads' }
      : { name: 'cuDNN 8 (libcudnn.so.8)', status: 'missing', found: cudnn.detail, fix: CUDA_FIX },
  );

  const installHint = (pkg: string) =>
    `In ${installDir} run: npm install ${pkg}@${TFJS_VERSION} (its install script downloads libtensorflow; npm 11.19+ blocks ` +
    `install scripts unless approved: npm install-scripts approve ${pkg} && npm rebuild ${pkg}; ` +
    'behind a proxy set HTTPS_PROXY, or point TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI at a mirror). Then restart the engine ("AlexNet: Select Backend").';
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    const v = packageVersion(pkg);
    // BackendReport names candidates without the scope ('tfjs-node-gpu').
    const skipped = backend.skipped.find((s) => s.name === pkg.replace('@tensorflow/', '') && s.reason !== 'not installed');
    if (!v.installed) checks.push({ name: pkg, status: 'missing', found: 'not installed', fix: installHint(pkg) });
    else if (skipped) checks.push({ name: pkg, status: 'warn', found: `${v.version} installed but does not load: ${skipped.reason}`, fix: installHint(pkg) });
    else checks.push({ name: pkg, status: 'ok', found: `${v.version} installed` });
  }

  // tfjs-backend-wasm is bundled into the engine; what can be missing is its .wasm files.
  const wasm = probeBackends().find((p) => p.name === 'wasm')!;
  checks.push({ name: 'WebAssembly backend', status: wasm.available ? 'ok' : 'missing', found: wasm.detail });

  checks.push({
    name: 'chosen tfjs backend',
    status: 'info',
    found: `${backend.label}${backend.skipped.length ? ` — skipped: ${backend.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}` : ''}`,
  });
  const missing = checks.some((c) => c.status === 'missing');
  const summary =
    device.chosen !== 'cpu'
      ? `GPU in use: ONNX Runtime computes on ${device.label}.`
      : backend.kind === 'gpu'
        ? `GPU in use: ${backend.label} (tfjs); ONNX Runtime is on the CPU.`
        : `No GPU in use: ONNX Runtime computes on the CPU${ort.ok ? '' : ` (it does not load: the engine runs on ${backend.label})`}.` +
          (missing ? ' What each GPU route needs is listed below.' : '');
  return { summary, checks, ort, devices, device, backend };
}

export function formatDoctor(report: DoctorReport): string {
  const mark: Record<CheckStatus, string> = { ok: '[ok]     ', missing: '[missing]', warn: '[warn]   ', info: '[info]   ' };
  const lines = report.checks.map((c) => `${mark[c.status]} ${c.name}: ${c.found}${c.fix ? `\n            -> ${c.fix}` : ''}`);
  return `${report.summary}\n\n${lines.join('\n')}`;
}
