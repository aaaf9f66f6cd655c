#!/usr/bin/env node
// `alexnet`: the engine from the command line (classify, info, bench, train).
// It runs the engine in-process: a CLI has no host to keep responsive.
import { parseArgs, intOption } from './args';
import { runClassify } from './classify';
import { runInfo } from './info';
import { runBench } from './bench';
import { runTrainCli } from './train';
import { runDoctorCli } from './doctor';

const USAGE = `usage: alexnet <command> [options]

commands:
  classify <images...> [--weights F | --random] [--variant paper|caffe|torchvision] [--topk K] [--json] [--backend B] [--device D]
  info [--variant V] [--backend B] [--json]
  bench [--variant V] [--backend B] [--device D] [--weights F] [--runs N] [--json]
  train <folder> [options]         (alexnet train --help)
  doctor [--json] [--device D]     GPU setup check: ONNX Runtime and its devices (self-tested), CUDA/cuDNN, tfjs-node(-gpu)

devices (ONNX Runtime): auto (default: cuda, then a hardware WebGPU adapter, then cpu), cpu, webgpu, cuda, directml
backends (tfjs: where ORT cannot load): auto (default), tfjs-node-gpu, tfjs-node, wasm, cpu`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`alexnet: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
