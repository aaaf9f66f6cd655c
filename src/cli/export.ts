// `alexnet export <weights file | run folder> --format onnx|pth|safetensors [--variant V] --out FILE`
// and `alexnet export-project <run folder> --out DIR` (a PyTorch project that trains the same recipe).
import { EXPORT_FORMATS, exportModel, type ExportFormat } from '../engine/export/exportModel';
import { exportPytorchProject } from '../engine/export/pytorchProject';
import type { PthLayout } from '../engine/export/pthExport';
import { parseArgs } from './args';
import { variantOption } from './common';

export const EXPORT_USAGE = `usage: alexnet export <weights file | run folder> --format ${EXPORT_FORMATS.join('|')} --out FILE [--variant V] [--layout torchvision|notebook] [--json]
       alexnet export-project <run folder> --out DIR [--json]`;

export async function runExportCli(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, { flags: ['json', 'help'], values: ['format', 'out', 'variant', 'layout'] });
  if (options.help) {
    console.log(EXPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || typeof options.out !== 'string') {
    console.error(EXPORT_USAGE);
    return 2;
  }
  const format = (options.format as string | undefined) ?? inferFormat(options.out);
  if (!format || !EXPORT_FORMATS.includes(format as ExportFormat)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}${format ? `, got '${format}'` : ''}`);
  const layout = options.layout as string | undefined;
  if (layout !== undefined && layout !== 'torchvision' && layout !== 'notebook') throw new Error(`--layout must be torchvision or notebook, got '${layout}'`);
  const r = await exportModel({
    source: positionals[0],
    format: format as ExportFormat,
    out: options.out,
    ...(options.variant ? { variant: variantOption(options) } : {}),
    ...(layout ? { layout: layout as PthLayout } : {}),
  });
  if (options.json) console.log(JSON.stringify(r, null, 2));
  else console.log(`wrote ${r.out} (${r.format}, AlexNet ${r.variant}, ${r.numClasses} classes, ${r.bytes.toLocaleString('en-US')} bytes${r.layout ? `, ${r.layout} keys` : ''})`);
  return 0;
}

export async function runExportProjectCli(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, { flags: ['json', 'help'], values: ['out'] });
  if (options.help || positionals.length !== 1 || typeof options.out !== 'string') {
    console[options.help ? 'log' : 'error'](EXPORT_USAGE);
    return options.help ? 0 : 2;
  }
  const r = await exportPytorchProject({ runDir: positionals[0], out: options.out });
  if (options.json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`wrote ${r.out}: ${r.files.join(', ')}`);
    console.log(`run it with: cd ${r.out} && torchrun --nproc_per_node=2 train.py`);
  }
  return 0;
}

function inferFormat(out: string): string | undefined {
  const m = /\.(onnx|pth|pt|safetensors)$/i.exec(out);
  if (!m) return undefined;
  return m[1].toLowerCase() === 'pt' ? 'pth' : m[1].toLowerCase();
}
