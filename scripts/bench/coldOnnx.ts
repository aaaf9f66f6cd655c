// Cold start of the ONNX runtime as the engine would do it (bundled by bench.mjs with esbuild, like
// dist/): load our weights file, decode and preprocess one image, build the session, predict.
// Usage: node cold-onnx.js VARIANT WEIGHTS IMAGE  -> prints the top-5 class indices as JSON
import { loadWeightsFile } from '../../src/extension/engine/weights';
import { decodeImageFile, preprocessBatch } from '../../src/extension/engine/image';
import { createOnnxRuntime } from '../../src/extension/engine/onnx';
import type { VariantName } from '../../src/extension/engine/model/spec';

async function main(): Promise<void> {
  const [variant, weights, image] = process.argv.slice(2);
  const [loaded, img] = await Promise.all([loadWeightsFile(weights, variant as VariantName), decodeImageFile(image)]);
  const rt = await createOnnxRuntime(loaded.spec, loaded.params, { threads: 2 });
  const { probabilities } = await rt.run(preprocessBatch([img], loaded.spec).data, 1);
  const top = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a]).slice(0, 5);
  console.log(JSON.stringify({ top5: top }));
  await rt.dispose();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
