#!/usr/bin/env node
// `alexnet`: the engine from the command line (classify, info, bench, train).
// It runs the engine in-process: a CLI has no host to keep responsive.
import { parseArgs, intOption } from './args';
import { runClassify } from './classify';
import { runInfo } from './info';
import { runBench } from './bench';
import { runTrainCli } from './train';
import { runDoctorCli } from './doctor';
import { enterJsonMode, flushStdout, wantsJson } from './output';
import { runExportCli, runExportProjectCli } from './export';

const USAGE = `usage: alexnet <command> [options]

commands:
  classify <images...> [--weights F | --random] [--variant paper|caffe|torchvision] [--topk K] [--json] [--backend B] [--device D] [--no-exif]
  info [--variant V] [--backend B] [--json]
  bench [--variant V] [--backend B] [--device D] [--weights F] [--runs N] [--json]
  bench --train [--variant V] [--batch-size N] [--steps K] [--device D, default cpu] [--mode whole|frozen] [--optimizer sgd|adam] [--json]
  train <folder> [options]         (alexnet train --help)
  doctor [--json] [--device D]     GPU setup check: ONNX Runtime and its devices (self-tested), CUDA/cuDNN, tfjs-node(-gpu)
  export <weights | run> --format onnx|pth|safetensors --out FILE [--variant V]
  export-project <run folder> --out DIR   a PyTorch project (torchrun, DDP) with the run's recipe

devices (ONNX Runtime): auto (default: cuda, then a hardware WebGPU adapter, then cpu), cpu, webgpu, cuda, directml
backends (tfjs: where ORT cannot load): auto (default), tfjs-node-gpu, tfjs-node, wasm, cpu`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (wantsJson(rest)) enterJsonMode();
  switch (command) {
    case 'classify':
      return runClassify(rest);
    case 'info':
      return runInfo(rest);
    case 'bench':
      return runBench(rest);
    case 'train':
      return runTrainCli(rest);
    case 'doctor':
      return runDoctorCli(rest);
    case 'export':
      return runExportCli(rest);
    case 'export-project':
      return runExportProjectCli(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`alexnet: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

export { parseArgs, intOption };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    async (code) => {
      await flushStdout();
      process.exit(code);
    },
    async (err: unknown) => {
      console.error(`alexnet: ${err instanceof Error ? err.message : String(err)}`);
      await flushStdout();
      process.exit(1);
    },
  );
}
