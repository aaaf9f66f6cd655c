// Cold start of the ONNX runtime as the engine does it, without tfjs: open the disk cache entry for
// the weights file when there is one (no weights read), else load the weights, build, cache, and
// predict. Phases go to stderr. bench.mjs times the CLI itself (dist/cli.js classify); this is the
// probe for where that time goes. Bundle it like dist/ or run it with tsx:
//   node --import tsx scripts/bench/coldOnnx.ts VARIANT WEIGHTS IMAGE [CACHE_DIR]
//   -> prints the top-5 class indices and the session's source as JSON
import { loadWeightsFile } from '../../src/engine/weights';
import { decodeImageFile, preprocessBatch } from '../../src/engine/image';
import { createOnnxRuntime, onnxCacheKey, openCachedOnnxRuntime, weightsFileIdentity } from '../../src/engine/onnx';
import { activationLayers } from '../../src/engine/inspect/analysis';
import { makeSpec, type VariantName } from '../../src/engine/model/spec';

async function main(): Promise<void> {
  const [variant, weights, image, cacheDir] = process.argv.slice(2) as [VariantName, string, string, string | undefined];
  let last = performance.now();
  const lap = (what: string) => {
    const now = performance.now();
    console.error(`${what.padEnd(24)} ${(now - last).toFixed(0).padStart(6)} ms (uptime ${(process.uptime() * 1000).toFixed(0)} ms)`);
    last = now;
  };
  lap('imports');
  const opts = { threads: 2, prepack: false };
  const collect = activationLayers(makeSpec(variant));
  const cache = cacheDir ? { dir: cacheDir, key: onnxCacheKey({ weights: await weightsFileIdentity(weights), variant, collect }) } : undefined;
  const imgPromise = decodeImageFile(image);
  let rt = cache ? await openCachedOnnxRuntime(cache, opts) : undefined;
  if (rt) lap('session from cache');
  else {
    const loaded = await loadWeightsFile(weights, variant);
    lap('read weights');
    rt = await createOnnxRuntime(loaded.spec, loaded.params, { ...opts, collect, ...(cache ? { cache } : {}) });
    lap(`session (${rt.source})`);
  }
  const img = await imgPromise;
  const { probabilities } = await rt.run(preprocessBatch([img], rt.spec).data, 1, { collect: [] });
  lap('first run');
  const top = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a]).slice(0, 5);
  console.log(JSON.stringify({ top5: top, source: rt.source }));
  await rt.dispose();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
