// `alexnet classify <images...>`: top-K classes per image; bad images are reported, the rest classified.
import { Engine, engineOptionsFromEnv } from '../engine/engine';
import { parseArgs, intOption } from './args';
import { backendOption, deviceOption, variantOption, weightsOption } from './common';
import { table } from './format';
import { printJson } from './output';
import { defaultOnnxCacheDir } from '../engine/onnx';

export async function runClassify(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, {
    flags: ['json', 'random', 'no-exif'],
    values: ['weights', 'variant', 'topk', 'backend', 'threads', 'device'],
  });
  if (!positionals.length) throw new Error('classify needs at least one image');
  const topK = intOption(options, 'topk', 5);
  const engine = new Engine(engineOptionsFromEnv());
  const backend = await engine.init(backendOption(options), options.threads ? intOption(options, 'threads', 1) : undefined, deviceOption(options));
  // With the built model cached on disk, ONNX Runtime's session is ready before tfjs's first forward
  // (wasm: seconds of weight packing), so even one image goes to ORT. Weight pre-packing costs ~1.3 s
  // and saves ~4 ms an image: only for long lists.
  if (process.env.ALEXNET_ONNX_CACHE_DIR !== 'off') engine.onnxCacheDir ??= defaultOnnxCacheDir();
  engine.onnxPrepack = positionals.length > 300;
  const model = await engine.loadModel(variantOption(options), weightsOption(options));
  // --no-exif: pixels as stored, as torchvision's PIL loader reads them (the default rotates by the EXIF tag, as viewers do)
  const items = await engine.classifyFiles(positionals, { topK, exifOrientation: !options['no-exif'] });
  if (options.json) {
    const device = await engine.deviceReady();
    printJson({ backend: backend.label, inference: engine.inferenceLabel(), device: { chosen: engine.model?.onnx?.device ?? device.chosen, label: device.label, skipped: device.skipped }, model: { variant: model.variant, weights: model.weightsLabel, untrained: model.untrained }, items });
  } else {
    console.error(`inference: ${engine.inferenceLabel()}; variant: ${model.variant}; weights: ${model.weightsLabel}`);
    for (const item of items) {
      if (!item.ok) {
        console.log(`ERROR (${item.code}): ${item.error}\n`);
        continue;
      }
      const exif = item.exif ? `, EXIF orientation ${item.exif.orientation} ${item.exif.applied ? 'applied' : 'ignored (--no-exif)'}` : '';
      console.log(`${item.path} (${item.width}x${item.height}${exif}, ${item.ms} ms)`);
      console.log(
        table(
          ['#', 'probability', 'synset', 'class'],
          item.predictions.map((p, i) => [i + 1, p.probability.toFixed(4), p.synset ?? '', p.label]),
          [true, true, false, false],
        ),
      );
      console.log();
    }
  }
  return items.every((i) => i.ok) ? 0 : 3;
}
