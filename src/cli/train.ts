// `alexnet train <folder>`: scan the folder, train, print one line per epoch. Ctrl-C stops after
// the current step (the last finished epoch is kept); --resume RUN_DIR continues a run.
import { join, resolve } from 'node:path';
import { Engine, engineOptionsFromEnv } from '../engine/engine';
import { parseArgs, intOption } from './args';
import { backendOption, deviceOption, variantOption } from './common';
import { printJson } from './output';
import { reexecWithMallocSettings } from './mallocReexec';
import type { InitName, PresetName, TrainConfigInput, TrainEvent, TrainMode, TrainResult } from '../protocol/engine/train';
import { scanDataset } from '../engine/train/dataset';
import { formatDuration, resumeTraining, startTraining, type TrainHooks } from '../engine/train/trainer';
import { describeTrainDevice } from '../engine/train/trainDevice';
import { augmentLabel, patienceLabel } from '../protocol/webview/training';

const HELP = `usage: alexnet train <folder> [options]
       alexnet train --resume RUN_DIR [--epochs N] [--json]

<folder>: one subfolder per class, or train/ and val/ subfolders in that layout.

options:
  --preset small-data|paper|fine-tune|linear-probe
                                      the recipe (default fine-tune with --weights, else small-data);
                                      options given below override it. small-data: Adam, PyTorch init,
                                      lr from a finder, warm-up, clipping, batch ~1/4 of the images.
                                      linear-probe (needs --weights): only fc8 learns, on fc7 features
                                      computed once; Adam lr 0.001, up to 30 epochs, early stop 5
  --variant paper|caffe|torchvision   (default torchvision)
  --mode probe|frozen|finetune|scratch  (default frozen with --weights, else scratch); probe and
                                      frozen runs save only the trained layers plus the SHA-256 of
                                      --weights, which must stay in place to use the model
  --weights FILE                      starting weights (.pth, bvlc_alexnet.npy, .safetensors)
  --epochs N                          (the preset's: small-data 30, else 10)
  --batch-size N                      (the preset's: small-data 8..32, paper 128, fine-tune 32)
  --lr X                              initial learning rate (small-data: found by the lr finder unless given)
  --init paper|pytorch|he             scratch-mode initialisation (small-data: pytorch, paper: paper)
  --patience N                        epochs without a better val loss before lr /= 10 (paper 3;
                                      0 = never: small-data keeps the lr constant after the warm-up)
  --early-stop N                      stop after N epochs without a better val loss (default off)
  --val-fraction F                    held out per class when there is no val/ (default 0.2)
  --seed N                            (default 42)
  --no-crop --no-flip --no-pca        turn augmentations off
  --runs DIR                          runs root (default ./.alexnet/runs)
  --probe-image FILE                  an image whose top-5 and Grad-CAM are recorded after every epoch
                                      (probe-<epoch>.json in the run folder; the training view shows it);
                                      with --resume, from the next epoch
  --resume RUN_DIR                    continue a cancelled or crashed run
  --device D                          where ONNX Runtime computes: auto, cpu, webgpu, cuda, directml
  --backend B                         the tfjs backend: auto, wasm, cpu, ...
  --json                              one JSON event per line; the last line is the result: bestEpoch,
                                      bestValAccuracy (0..1), bestValLoss, epochs, runDir, seconds,
                                      device ({ id, label, preference, reason?, notUsed? }), ...`;

function numberOption(o: Record<string, string | true>, name: string): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
  return n;
}

export async function runTrainCli(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, {
    flags: ['json', 'help', 'no-crop', 'no-flip', 'no-pca'],
    values: ['preset', 'init', 'variant', 'mode', 'weights', 'epochs', 'batch-size', 'lr', 'patience', 'early-stop', 'val-fraction', 'seed', 'runs', 'resume', 'backend', 'device', 'probe-image'],
  });
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  // the steps run at full speed only with glibc's big temporaries kept on the heap (mallocEnv.ts)
  const rerun = reexecWithMallocSettings(['train', ...argv]);
  if (rerun !== undefined) return rerun;
  const json = !!options.json;
  const resumeDir = typeof options.resume === 'string' ? resolve(options.resume) : undefined;
  if (!resumeDir && positionals.length !== 1) {
    console.error(HELP);
    return 2;
  }
  const mode = options.mode as string | undefined;
  if (mode !== undefined && !['probe', 'frozen', 'finetune', 'scratch'].includes(mode)) throw new Error(`--mode must be probe, frozen, finetune or scratch, got '${mode}'`);

  const engine = new Engine(engineOptionsFromEnv());
  const backend = await engine.init(backendOption(options), undefined, deviceOption(options));
  if (!json) console.log(`backend: ${backend.label}`);

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    console.error('\nstopping after this step (Ctrl-C again to quit at once)...');
  };
  process.on('SIGINT', onSigint);

  let lastStepLine = 0;
  const hooks: TrainHooks = {
    // a GPU device is self-tested before the first step runs on it
    device: await engine.deviceReady(),
    signal: controller.signal,
    log: (m) => console.error(`note: ${m}`),
    emit: (e: TrainEvent) => {
      if (json) {
        if (e.kind !== 'trainStep') printJson(e, true);
        return;
      }
      if (e.kind === 'trainStart') {
        const c = e.config;
        console.log(`run: ${e.runDir}`);
        console.log(`preset ${c.config.preset ?? 'none'}: ${c.config.optimizer ?? 'sgd'}, lr ${c.lrFinder ? `${c.config.lr.toExponential(2)} (lr finder)` : c.config.lr}` +
          `${c.config.init ? `, init ${c.config.init}` : ''}${c.config.clipGradNorm ? `, clip ${c.config.clipGradNorm}` : ''}${c.config.warmupSteps ? `, warm-up ${c.config.warmupSteps} steps` : ''}`);
        if (c.device) console.log(`steps on: ${describeTrainDevice(c.device)}`);
        console.log(`${c.config.variant}, mode ${c.config.mode}, ${c.classNames.length} classes, ${c.trainCount} train / ${c.valCount} val images, batch ${c.config.batchSize}, ${c.stepsPerEpoch} steps/epoch` + (e.resumed ? `, resuming at epoch ${e.startEpoch}` : ''));
        console.log(`epochs ${c.config.epochs}, patience ${patienceLabel(c.config.patience, c.config.warmupSteps)}, early stop ${c.config.earlyStop ? `after ${c.config.earlyStop} epochs` : 'off'}, augmentation ${augmentLabel(c.config.augment, c.config.mode)}`);
        if (c.baseWeights) console.log(`saves only the trained layers; the others come from ${c.baseWeights.path} (SHA-256 ${c.baseWeights.sha256.slice(0, 16)}…), which must stay in place`);
      } else if (e.kind === 'trainStep' && process.stderr.isTTY && Date.now() - lastStepLine > 500) {
        lastStepLine = Date.now();
        process.stderr.write(`\r  epoch ${e.epoch} step ${e.step}/${e.stepsPerEpoch}  loss ${e.loss.toFixed(4)}  ${e.imagesPerSec.toFixed(1)} img/s  wait ${e.waitMs.toFixed(0)} ms  ${e.etaSeconds === null ? '' : formatDuration(e.etaSeconds) + ' left'}   `);
      } else if (e.kind === 'trainEpoch') {
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        const pct = (x: number | null) => (x === null ? '  -  ' : `${(100 * x).toFixed(1)}%`);
        const val = e.valLoss === null ? 'no val' : `val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAcc)}`;
        console.log(
          `epoch ${String(e.epoch).padStart(3)}/${e.totalEpochs}  train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAcc)}  ${val}  lr ${+e.lr.toPrecision(3)}` +
            `${e.nextLr !== e.lr ? ` -> ${+e.nextLr.toPrecision(3)}` : ''}  ${e.seconds.toFixed(1)}s${e.best ? '  *best' : ''}` +
            (e.skipped.length ? `  (${e.skipped.length} image(s) skipped)` : ''),
        );
      } else if (e.kind === 'trainProbe') {
        // probe.json in the run folder names the image (the training view's Choose Probe Image…)
        console.log(`  probe ${e.image}: ${e.top.map(([c, p]) => `${e.classNames[c]} ${(100 * p).toFixed(1)}%`).join(', ')}`);
      }
    },
  };

  try {
    let result;
    const probeImage = typeof options['probe-image'] === 'string' ? resolve(options['probe-image']) : undefined;
    if (resumeDir) {
      result = await resumeTraining(resumeDir, hooks, { epochs: options.epochs !== undefined ? intOption(options, 'epochs', 1) : undefined, probeImage });
    } else {
      const folder = resolve(positionals[0]);
      const config: TrainConfigInput = {
        variant: variantOption(options),
        ...(typeof options.preset === 'string' ? { preset: options.preset as PresetName } : {}),
        ...(typeof options.init === 'string' ? { init: options.init as InitName } : {}),
        ...(mode ? { mode: mode as TrainMode } : {}),
        ...(typeof options.weights === 'string' ? { weights: { kind: 'file' as const, path: resolve(options.weights) } } : {}),
        ...(options.epochs !== undefined ? { epochs: intOption(options, 'epochs', 10) } : {}),
        ...(options['batch-size'] !== undefined ? { batchSize: intOption(options, 'batch-size', 128) } : {}),
        ...(options.patience !== undefined ? { patience: Number(options.patience) } : {}),
        ...(options['early-stop'] !== undefined ? { earlyStop: Number(options['early-stop']) } : {}),
        ...(numberOption(options, 'lr') !== undefined ? { lr: numberOption(options, 'lr') } : {}),
        ...(numberOption(options, 'val-fraction') !== undefined ? { valFraction: numberOption(options, 'val-fraction') } : {}),
        ...(numberOption(options, 'seed') !== undefined ? { seed: numberOption(options, 'seed') } : {}),
        // only what was turned off: the preset decides the rest
        augment: {
          ...(options['no-crop'] ? { crop: false } : {}), ...(options['no-flip'] ? { flip: false } : {}), ...(options['no-pca'] ? { pca: false } : {}),
        },
      };
      const scan = await scanDataset(folder, { valFraction: config.valFraction, seed: config.seed });
      const s = scan.summary;
      if (json) printJson({ kind: 'scan', ...s }, true);
      else {
        console.log(`dataset: ${folder} (${s.layout === 'split-folders' ? 'train/ + val/' : 'class folders, held-out validation'})`);
        for (const c of s.classes) console.log(`  ${c.name}: ${c.train} train, ${c.val} val`);
        for (const k of s.skipped) console.log(`  skipped ${k.path}: ${k.reason}`);
        for (const w of s.warnings) console.log(`  warning: ${w}`);
      }
      if (!s.trainable) {
        console.error('alexnet train: this folder cannot be trained on (see the warnings above)');
        return 1;
      }
      const runsRoot = typeof options.runs === 'string' ? resolve(options.runs) : join(process.cwd(), '.alexnet', 'runs');
      result = await startTraining(folder, runsRoot, config, hooks, probeImage ? { probeImage } : {});
    }
    if (json) printJson(resultLine(result), true);
    else {
      const acc = result.bestValAcc === null ? 'n/a' : `${(100 * result.bestValAcc).toFixed(1)}%`;
      console.log(`${result.cancelled ? 'cancelled' : result.earlyStopped ? 'stopped early' : 'done'}: ${result.epochs} epoch(s), best val acc ${acc}` +
        `${result.bestEpoch ? ` (epoch ${result.bestEpoch}, the one best.safetensors holds)` : ''}, ${(result.seconds ?? 0).toFixed(0)} s`);
      if (result.bestPath) console.log(`best weights: ${result.bestPath}`);
      if (result.cancelled) console.log(`resume with: alexnet train --resume ${result.runDir}`);
    }
    return result.cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The --json result line (scripts and the benchmark read these exact fields). */
export function resultLine(r: TrainResult): Record<string, unknown> {
  return {
    kind: 'result', ...r,
    bestEpoch: r.bestEpoch ?? null, bestValAccuracy: r.bestValAcc, bestValLoss: r.bestValLoss ?? null,
    epochs: r.epochs, runDir: r.runDir, seconds: r.seconds ?? null,
  };
}
