#!/usr/bin/env node
// Draws the two small folders the "Small data from scratch" recipe is measured on (issue 13):
//   <out>/shapes-dataset/   the sample dataset `npm start` draws (circle/square/triangle, 40 each)
//   <out>/patterns-dataset/ 4 clearly separable classes of textures (75 each, 300 images):
//                           horizontal stripes, vertical stripes, checkerboard, dots; random
//                           colours, periods and phases, so nothing is a copy of another image.
// Deterministic for a given seed. Usage: node scripts/bench/make-datasets.mjs [OUT] [--per-class N]
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { drawImage, drawShapesDataset, SAMPLE_SHAPES_PER_CLASS } from '../../test/e2e/fixtures.mjs';

const args = process.argv.slice(2);
const out = resolve(args.find((a) => !a.startsWith('--')) ?? '.bench-data');
const perIdx = args.indexOf('--per-class');
const perClass = perIdx >= 0 ? Number(args[perIdx + 1]) : 75;

export async function drawPatternsDataset(dir, { perClass = 75, size = 128, seed = 13 } = {}) {
  let state = seed >>> 0;
  const rand = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const colour = (lo, span) => `rgb(${lo + Math.floor(rand() * span)},${lo + Math.floor(rand() * span)},${lo + Math.floor(rand() * span)})`;
  const classes = {
    hstripes: (p, o, c) => Array.from({ length: Math.ceil(size / p) + 1 }, (_, k) => `<rect x="0" y="${k * p - o}" width="${size}" height="${p / 2}" fill="${c}"/>`),
    vstripes: (p, o, c) => Array.from({ length: Math.ceil(size / p) + 1 }, (_, k) => `<rect x="${k * p - o}" y="0" width="${p / 2}" height="${size}" fill="${c}"/>`),
    checks: (p, o, c) => {
      const s = [];
      for (let i = -1; i <= size / (p / 2); i++) for (let j = -1; j <= size / (p / 2); j++) {
        if ((i + j) % 2 === 0) s.push(`<rect x="${i * p / 2 - o}" y="${j * p / 2 - o}" width="${p / 2}" height="${p / 2}" fill="${c}"/>`);
      }
      return s;
    },
    dots: (p, o, c) => {
      const s = [];
      for (let i = 0; i <= size / p + 1; i++) for (let j = 0; j <= size / p + 1; j++) s.push(`<circle cx="${i * p - o}" cy="${j * p - o}" r="${p / 4}" fill="${c}"/>`);
      return s;
    },
  };
  for (const [cls, draw] of Object.entries(classes)) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const period = Math.round(16 + rand() * 24);
      const offset = Math.round(rand() * period);
      // a light background and a dark pattern (or the other way round), so every image has contrast
      const dark = rand() < 0.5;
      const bg = colour(dark ? 0 : 150, 105);
      const fg = colour(dark ? 150 : 0, 105);
      await drawImage(join(dir, cls, `${String(i).padStart(3, '0')}.png`), { width: size, height: size, background: bg, shapes: draw(period, offset, fg) });
    }
  }
  return Object.keys(classes);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const shapes = join(out, 'shapes-dataset');
  const patterns = join(out, 'patterns-dataset');
  if (!existsSync(shapes)) await drawShapesDataset(shapes);
  if (!existsSync(patterns)) await drawPatternsDataset(patterns, { perClass });
  console.log(`${shapes} (3 x ${SAMPLE_SHAPES_PER_CLASS})\n${patterns} (4 x ${perClass})`);
}
