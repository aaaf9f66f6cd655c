// Images for the e2e workspaces and the demo workspace: a real photo when /work/shared is
// present, otherwise pictures drawn here with sharp (ours, no license questions).
import { existsSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';

/** Folder with the shared real photos (../shared/data/images from the repo), or null. */
export function sharedImagesDir() {
  const dir = process.env.ALEXNET_SHARED_IMAGES ?? join(repoRoot, '..', 'shared', 'data', 'images');
  return existsSync(dir) ? dir : null;
}

/** An SVG picture of a few shapes; sharp renders it. */
function shapesSvg({ width, height, background, shapes }) {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="${background}"/>${shapes.join('')}</svg>`);
}

/** Writes a JPEG/PNG (by extension) drawn from simple shapes. */
export async function drawImage(path, { width = 320, height = 240, background = '#7aa7d8', shapes } = {}) {
  const sharp = (await import('sharp')).default;
  const s = shapes ?? [
    `<circle cx="${width * 0.35}" cy="${height * 0.55}" r="${height * 0.3}" fill="#e4b04a"/>`,
    `<rect x="${width * 0.55}" y="${height * 0.2}" width="${width * 0.3}" height="${height * 0.5}" fill="#3c6e47"/>`,
  ];
  const img = sharp(shapesSvg({ width, height, background, shapes: s }));
  await (path.endsWith('.png') ? img.png() : img.jpeg({ quality: 90 })).toFile(path);
  return path;
}

/**
 * Puts a photo named `name` into `dir`: the shared dog.jpg when present, else a drawn JPEG.
 * Returns { path, source }.
 */
export async function placePhoto(dir, name = 'dog.jpg') {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  const shared = sharedImagesDir();
  if (shared && existsSync(join(shared, 'dog.jpg'))) {
    copyFileSync(join(shared, 'dog.jpg'), target);
    return { path: target, source: join(shared, 'dog.jpg') };
  }
  await drawImage(target);
  return { path: target, source: 'drawn with sharp' };
}

const palette = {
  red: '#d8453b', green: '#3f9b4a', blue: '#3b6fd8',
};

/**
 * A small class-per-folder dataset: <dir>/<shape>/<n>.png, each picture one coloured shape
 * at a random place/size on a random light background. Deterministic for a given seed.
 * The sample (`npm start`) has SAMPLE_SHAPES_PER_CLASS per class: 8 held out per class make a
 * 24-image validation set, where 95% is measurable (23/24); 12 per class held out 6 images, on
 * which an 80%-accurate model scores 6/6 in a quarter of its epochs.
 */
export const SAMPLE_SHAPES_PER_CLASS = 40;

export async function drawShapesDataset(dir, { perClass = SAMPLE_SHAPES_PER_CLASS, size = 96, seed = 7 } = {}) {
  let state = seed >>> 0;
  const rand = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const colours = Object.values(palette);
  const classes = {
    circle: (x, y, r, c) => `<circle cx="${x}" cy="${y}" r="${r}" fill="${c}"/>`,
    square: (x, y, r, c) => `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" fill="${c}"/>`,
    triangle: (x, y, r, c) => `<polygon points="${x},${y - r} ${x - r},${y + r} ${x + r},${y + r}" fill="${c}"/>`,
  };
  for (const [cls, draw] of Object.entries(classes)) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const r = size * (0.15 + 0.2 * rand());
      const x = r + rand() * (size - 2 * r);
      const y = r + rand() * (size - 2 * r);
      const grey = Math.round(200 + 55 * rand());
      await drawImage(join(dir, cls, `${String(i).padStart(2, '0')}.png`), {
        width: size, height: size, background: `rgb(${grey},${grey},${grey})`,
        shapes: [draw(Math.round(x), Math.round(y), Math.round(r), colours[Math.floor(rand() * colours.length)])],
      });
    }
  }
  return Object.keys(classes);
}
