// `alexnet doctor`: the GPU setup check, in the terminal.
import { resolve } from 'node:path';
import { Engine, engineOptionsFromEnv } from '../engine/engine';
import { formatDoctor, runDoctor } from '../engine/doctor';
import { parseArgs } from './args';
import { backendOption, deviceOption } from './common';
import { printJson } from './output';

export async function runDoctorCli(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, { flags: ['json'], values: ['backend', 'device'] });
  const engine = new Engine(engineOptionsFromEnv());
  const backend = await engine.init(backendOption(options), undefined, deviceOption(options));
  const report = await runDoctor(backend, resolve(__dirname, '..'), await engine.deviceReady());
  if (options.json) printJson(report);
  else console.log(formatDoctor(report));
  return 0;
}
