// Files for the cold-start rows of `npm run bench`: random weights of a variant as our
// safetensors (the engine's own writer) and a 500x375 JPEG. Usage: coldFiles.ts VARIANT OUT.safetensors OUT.jpg
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { paperInit } from '../../src/engine/model/alexnet';
import { makeSpec, type VariantName } from '../../src/engine/model/spec';
import { saveWeightsFile } from '../../src/engine/weights';

async function main(): Promise<void> {
  const [variant, weights, image] = process.argv.slice(2);
  await tf.setBackend('cpu');
  if (!existsSync(weights)) {
    const spec = makeSpec(variant as VariantName);
    const params = tf.tidy(() => paperInit(spec));
    const host: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, t] of Object.entries(params)) host[k] = { shape: t.shape, data: t.dataSync() as Float32Array };
    await saveWeightsFile(weights, spec, host, { provenance: 'npm run bench: random weights' });
  }
  if (!existsSync(image)) await sharp({ create: { width: 500, height: 375, channels: 3, background: { r: 120, g: 80, b: 40 } } }).jpeg().toFile(image);
}
void main();
