// Export Run as PyTorch Project: a folder that trains the run's recipe with PyTorch's own
// distributed engine (torchrun, DistributedDataParallel) and writes our run format back:
//   train.py      the training script (trainScript.ts)
//   project.json  classes, the exact train/val split (rescanned as the engine splits it), config, widths
//   start.pth     the starting weights (torchvision or notebook keys; fc8 left out, it is new)
//   README.md     how to run it and open the result
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, type ModelSpec } from '../model/spec';
import { scanDataset } from '../train/dataset';
import { trainSpec } from '../train/model';
import { CONFIG_FILE, readRunConfig } from '../train/runFiles';
import { loadWeightsFile } from '../weights/loadWeights';
import { ExportInputError } from './exportModel';
import { encodeTorchStateDict, toPytorchStateDict } from './pthExport';
import { TRAIN_PY } from './trainScript';
import { writeChunksAtomic } from './zipWriter';
import type { ExportProjectResult } from '../../protocol/engine/modelFiles';

export interface ProjectExportRequest {
  runDir: string;
  out: string;
}

/** The protocol's result type (why start.pth may be absent is in its noStartWeights). */
export type ProjectExportResult = ExportProjectResult;

function convWidths(spec: ModelSpec): number[] {
  return spec.layers.filter((l) => l.kind === 'conv').map((l) => (l as { filters: number }).filters);
}

export async function exportPytorchProject(req: ProjectExportRequest): Promise<ProjectExportResult> {
  const runDir = resolve(req.runDir);
  if (!existsSync(join(runDir, CONFIG_FILE))) throw new ExportInputError(`${runDir} is not a training run folder (no ${CONFIG_FILE})`);
  const run = readRunConfig(runDir);
  const { config } = run;
  if (!existsSync(run.folder)) throw new ExportInputError(`the run's dataset folder ${run.folder} no longer exists`);
  const dataset = await scanDataset(run.folder, { valFraction: config.valFraction, seed: config.seed });
  if (dataset.classNames.join('\n') !== run.classNames.join('\n'))
    throw new ExportInputError(`the classes in ${run.folder} changed since the run (${run.classNames.join(', ')} -> ${dataset.classNames.join(', ')})`);
  const spec = trainSpec(config, run.classNames.length);
  const out = resolve(req.out);
  mkdirSync(out, { recursive: true });
  const files: string[] = [];

  let noStartWeights: string | undefined;
  let initialWeights = 'random (paper init)';
  if (config.mode === 'scratch') noStartWeights = 'the run trains from scratch (the paper\'s initialisation, done by train.py)';
  else if (!config.weights) noStartWeights = 'the run started from random weights';
  else {
    const loaded = await loadWeightsFile(config.weights.path, config.convChannels || config.fcUnits ? 'auto' : config.variant);
    const sd = toPytorchStateDict(loaded.spec, loaded.params).filter(([k]) => !/^(classifier\.6|fully_connected\.6)\./.test(k));
    writeChunksAtomic(join(out, 'start.pth'), encodeTorchStateDict(sd, 'start'));
    files.push('start.pth');
    initialWeights = `${config.weights.path} (${loaded.source.format}, ${loaded.source.fileVariant})`;
  }
  const pool = describe(spec).find((i) => i.layer.name === 'pool5')!.outputShape;
  const project = {
    format: 'alexnet-explorer-pytorch-project/1',
    exportedFrom: runDir,
    /** train.py writes its run folder here when it exists (so the extension lists it), else beside train.py */
    runsRoot: dirname(runDir),
    folder: run.folder,
    layout: run.layout,
    variant: spec.variant,
    classNames: run.classNames,
    config,
    initialWeights,
    spec: {
      inputSize: spec.inputSize,
      resizeTo: spec.resizeTo,
      normalisation: spec.normalisation,
      convChannels: convWidths(spec),
      fcUnits: spec.layers.filter((l) => l.kind === 'dense').slice(0, 2).map((l) => (l as { units: number }).units),
      pool5: pool,
    },
    train: dataset.train.map((i) => [relative(run.folder, i.path), i.label]),
    val: dataset.val.map((i) => [relative(run.folder, i.path), i.label]),
  };
  writeFileSync(join(out, 'project.json'), JSON.stringify(project, null, 1) + '\n');
  writeFileSync(join(out, 'train.py'), TRAIN_PY, { mode: 0o755 });
  writeFileSync(join(out, 'README.md'), readme(project.classNames, run.folder, config.mode, dataset.train.length, dataset.val.length, noStartWeights));
  files.push('project.json', 'train.py', 'README.md');
  return { out, files, trainImages: dataset.train.length, valImages: dataset.val.length, classNames: run.classNames, ...(noStartWeights ? { noStartWeights } : {}) };
}

function readme(classes: string[], folder: string, mode: string, train: number, val: number, noStart?: string): string {
  return `# AlexNet training, exported from AlexNet Explorer

The same recipe as the run it came from (${mode} mode; ${classes.length} classes: ${classes.join(', ')};
${train} training and ${val} validation images from \`${folder}\`, split exactly as the extension split them),
on PyTorch's DistributedDataParallel.

## Run

\`\`\`sh
torchrun --nproc_per_node=4 train.py            # 4 processes: GPUs (nccl) if CUDA is available, else CPU (gloo)
torchrun --nproc_per_node=1 train.py --epochs 20
python3 train.py                                  # one process, no torchrun
\`\`\`

PyTorch 1.13 with Python 3.11 (Debian 12's \`python3-torch\`): torchrun crashes on its own default
\`--redirects 0\`; add \`--redirects 1 --tee 1\` (\`torchrun --redirects 1 --tee 1 --nproc_per_node=2 train.py\`).

Options: \`--epochs N\`, \`--data DIR\` (the dataset moved: the same class folders under another root),
\`--out RUN_DIR\` (default: \`<date-time>-torch\` next to the run it was exported from, where **Open Training Run**
lists it, when that folder exists on this machine; else \`runs/\` here), \`--workers N\` (data-loading processes per rank).
\`--nnodes\`/\`--rdzv_endpoint\` spread it over machines, as torchrun always does.

## Files

- \`train.py\` the script; \`project.json\` its inputs (classes, split, learning rate, momentum, weight decay, batch size,
  augmentation: random ${mode === 'frozen' || mode === 'probe' ? 'fixed corner/centre crops' : 'crops'}, flips${mode === 'frozen' || mode === 'probe' ? '' : ', PCA colour noise'}; the plateau rule divides the
  learning rate by 10 after \`patience\` epochs without a better validation loss).
- \`start.pth\` ${noStart ? `is absent: ${noStart}.` : 'the starting weights (a PyTorch state_dict; the last layer is new, for your classes).'}
  The global batch size is split over the processes.

## Results

The run folder holds \`config.json\`, \`metrics.jsonl\`, \`checkpoint.safetensors\` and \`best.safetensors\`, the same
files the extension writes: **AlexNet: Open Training Run** shows the curves and the confusion matrix, and
**AlexNet: Use Trained Model** classifies with \`best.safetensors\`.
`;
}
