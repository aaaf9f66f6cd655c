#!/usr/bin/env bash
# The prepared GPU check (issue 12): on a machine that reaches no registry, each device's self-test
# (forward + a training step vs the CPU), then full-size ONNX Runtime inference images/s and
# training images/s (`bench --train --device D --json`, the trainer's runner on that device) on cpu,
# webgpu and cuda, one table against the CPU (scripts/gpu-check/gpuBench.ts).
#   here:    scripts/gpu-check/run.sh --build      (bundles dist/gpuBench.js and dist/deviceSelfTest.js)
#   there:   scripts/gpu-check/run.sh [--small] [gpuBench options, e.g. --variant caffe --train 16,128]
#            --small: a quick pass (inference b1,16, training b16 only, 3 timed steps, 2 runs) when device time is short
# Carry (ignored paths, ~47 MiB): dist, node_modules/onnxruntime-node/package.json,
# node_modules/onnxruntime-node/dist, node_modules/onnxruntime-node/bin/napi-v6/linux/x64,
# node_modules/onnxruntime-common. Under 8 minutes on a GPU machine (each training row has its own
# timeout, --train-timeout seconds, default 150).
# CUDA needs ORT's CUDA provider libraries (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0, see
# `alexnet doctor`) plus CUDA 12 and cuDNN 9 there; without them the cuda row says why.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${1:-}" = --build ]; then
  node scripts/build.mjs && node_modules/.bin/esbuild scripts/gpu-check/gpuBench.ts --bundle --platform=node --target=node20 --format=cjs \
    --external:onnxruntime-node --outfile=dist/gpuBench.js --log-level=warning && ls -la dist/gpuBench.js dist/deviceSelfTest.js
  exit $?
fi
if [ "${1:-}" = --small ]; then
  shift
  # after the caller's options: gpuBench takes the first occurrence, so those still win
  set -- "$@" --infer 1,16 --train 16 --steps 3 --runs 2
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
ls node_modules/onnxruntime-node/bin/napi-v6/linux/x64/
timeout 450 node dist/gpuBench.js "$@"
