#!/usr/bin/env bash
# The prepared GPU check (issue 12): ONNX Runtime inference images/s on cpu, webgpu and cuda on a
# machine that reaches no registry, with each GPU device's self-test first, as one table.
# Build here first (`node scripts/build.mjs`), then run on the GPU machine with these carried
# (about 63 MiB; ignored paths): dist, node_modules/onnxruntime-node/package.json,
# node_modules/onnxruntime-node/dist, node_modules/onnxruntime-node/bin/napi-v6/linux/x64,
# node_modules/onnxruntime-common, node_modules/sharp, node_modules/@img.
# CUDA also needs ORT's CUDA provider libraries (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0, see
# `alexnet doctor`) plus CUDA 12 and cuDNN 9 on that machine; without them the cuda row says why.
# Training images/s on a device is not measured here yet (the ORT trainer's sessions are on the CPU EP).
#   scripts/gpu-check/run.sh [variant=torchvision] [runs=5]    (under 8 minutes)
set -uo pipefail
cd "$(dirname "$0")/../.."
variant="${1:-torchvision}"
runs="${2:-5}"
out="${OUT:-/tmp}/gpu-check"
mkdir -p "$out"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
timeout 120 node dist/cli.js doctor --json >"$out/doctor.json" 2>"$out/doctor.err" || echo "doctor failed: $(tail -1 "$out/doctor.err")"
for device in cpu webgpu cuda; do
  timeout 150 node dist/cli.js bench --variant "$variant" --runs "$runs" --device "$device" --no-cold --json >"$out/bench-$device.json" 2>"$out/bench-$device.err" ||
    echo "bench on $device failed: $(tail -1 "$out/bench-$device.err")"
done
node - "$out" <<'JS'
const fs = require('fs'); const dir = process.argv[2];
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')); } catch { return undefined; } };
const rows = [];
for (const d of ['cpu', 'webgpu', 'cuda']) {
  const b = read(`bench-${d}.json`);
  if (!b) { rows.push([d, '-', '-', '-', 'no result (see bench-' + d + '.err)']); continue; }
  const used = b.device.chosen;
  for (const r of b.rows.filter((r) => r.backend.startsWith('ONNX Runtime'))) rows.push([d, used, r.batch, r.imagesPerSec, used === d ? b.device.label : `fell back: ${(b.device.skipped.find((s) => s.id === d) || {}).reason || ''}`]);
}
const cpu16 = rows.find((r) => r[0] === 'cpu' && r[2] === 16);
console.log('| asked | used | batch | images/s | x cpu | note |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | ${cpu16 && typeof r[3] === 'number' && r[2] === 16 ? (r[3] / cpu16[3]).toFixed(2) : ''} | ${String(r[4]).slice(0, 160)} |`);
JS
