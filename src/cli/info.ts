// `alexnet info`: backend, variant, per-layer output shape, parameters and FLOPs.
import { Engine, engineOptionsFromEnv } from '../engine/engine';
import { parseArgs } from './args';
import { backendOption, variantOption } from './common';
import { human, table } from './format';
import { printJson } from './output';

export async function runInfo(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, { flags: ['json'], values: ['variant', 'backend'] });
  const engine = new Engine(engineOptionsFromEnv());
  await engine.init(backendOption(options));
  const info = engine.info(variantOption(options));
  if (options.json) {
    printJson(info);
    return 0;
  }
  console.log(`backend: ${info.backend.label}`);
  for (const s of info.backend.skipped) console.log(`  skipped ${s.name}: ${s.reason}`);
  console.log(`variant: ${info.variant} (input ${info.inputSize}x${info.inputSize}x3)\n`);
  const rows = info.layers.map((l) => [
    l.name,
    l.kind,
    `[${l.outputShape.join('x')}]`,
    l.kernel ? `${l.kernel}/${l.stride}` + (l.pad !== undefined ? `/p${l.pad}` : '') + (l.groups && l.groups > 1 ? ` g${l.groups}` : '') : '',
    l.params ? l.params.toLocaleString('en-US') : '',
    l.flops ? human(l.flops) : '',
    l.flops ? `${((100 * l.flops) / info.totalFlops).toFixed(1)}%` : '',
  ]);
  rows.push(['total', '', '', '', info.totalParams.toLocaleString('en-US'), human(info.totalFlops), '100%']);
  console.log(table(['layer', 'kind', 'output', 'k/s/p', 'params', 'FLOPs', 'share'], rows, [false, false, false, false, true, true, true]));
  return 0;
}
