// `alexnet classify <images...>`: top-K classes per image; bad images are reported, the rest classified.
import { engine } from '../engine';
import { parseArgs, intOption } from './args';
import { backendOption, variantOption, weightsOption } from './common';
import { table } from './format';

export async function runClassify(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, {
    flags: ['json', 'random'],
    values: ['weights', 'variant', 'topk', 'backend', 'threads'],
  });
  if (!positionals.length) throw new Error('classify needs at least one image');
  const topK = intOption(options, 'topk', 5);
  const backend = await engine.init(backendOption(options), options.threads ? intOption(options, 'threads', 1) : undefined);
  // ONNX Runtime's session takes about a second to build: worth it only for more than a few images.
  const many = positionals.length > 8;
  if (!many) engine.inferenceRuntime = 'tfjs';
  const model = await engine.loadModel(variantOption(options), weightsOption(options));
  if (many) await engine.onnxReady();
  const items = await engine.classifyFiles(positionals, { topK });
  if (options.json) {
    console.log(JSON.stringify({ backend: backend.label, inference: engine.inferenceLabel(), model: { variant: model.variant, weights: model.weightsLabel, untrained: model.untrained }, items }, null, 2));
  } else {
    console.error(`inference: ${engine.inferenceLabel()}; variant: ${model.variant}; weights: ${model.weightsLabel}`);
    for (const item of items) {
      if (!item.ok) {
        console.log(`ERROR (${item.code}): ${item.error}\n`);
        continue;
      }
      console.log(`${item.path} (${item.width}x${item.height}, ${item.ms} ms)`);
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
