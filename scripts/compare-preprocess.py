#!/usr/bin/python3
"""Compares our image preprocessing (src/engine/image) with torchvision's on real photos.

  /usr/bin/python3 scripts/compare-preprocess.py [FOLDER ...] [--recursive] [--summary-only]
  /usr/bin/python3 scripts/compare-preprocess.py --write-reference   (regenerates the unit tests' reference)

Reference side (PyTorch 1.13 / torchvision 0.14 / Pillow, as an ImageFolder pipeline would do it):
  Image.open(f).convert('RGB') -> Resize(256) -> CenterCrop(224) -> ToTensor() -> Normalize(ImageNet)
  caffe: Image.open(f).convert('RGB') -> Resize(256) -> CenterCrop(227) -> BGR float 0..255 - [104, 117, 124]
Our side runs through scripts/compare-preprocess.ts (npx tsx), which also tries sharp's own kernels.
Differences are printed per image as max / mean absolute difference, in normalised units and in 0..255 units.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FOLDER = os.path.join(ROOT, '..', 'shared', 'data', 'images')
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
EXTS = ('.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff')
SHARP_VARIANTS = ['sharp-linear', 'sharp-cubic', 'sharp-mitchell', 'sharp-lanczos3', 'sharp-shrink-on-load']

TV = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN.tolist(), STD.tolist())])
CAFFE_GEOMETRY = T.Compose([T.Resize(256), T.CenterCrop(227)])


def reference(path):
    im = Image.open(path).convert('RGB')
    decoded = np.asarray(im)
    tv = TV(im).permute(1, 2, 0).contiguous().numpy()  # HWC, like ours
    caffe = np.asarray(CAFFE_GEOMETRY(im), np.float32)[:, :, ::-1] - np.array([104, 117, 124], np.float32)
    return decoded, tv, caffe


def list_images(folders, recursive):
    out = []
    for folder in folders:
        if recursive:
            for d, _, names in os.walk(folder):
                out += [os.path.join(d, n) for n in sorted(names) if n.lower().endswith(EXTS)]
        else:
            out += [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.lower().endswith(EXTS)]
    return sorted(out)


def run_ours(files, out_dir):
    cmd = ['npx', 'tsx', os.path.join(ROOT, 'scripts', 'compare-preprocess.ts'), out_dir] + files
    subprocess.run(cmd, cwd=ROOT, check=True)
    with open(os.path.join(out_dir, 'index.json')) as f:
        return json.load(f)


def stats(a, b):
    d = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return d.max(), d.mean()


def fmt(mx, mean, digits=3):
    return f'{mx:.{digits}g} / {mean:.{digits}g}'


def compare(files, summary_only):
    with tempfile.TemporaryDirectory() as tmp:
        index = run_ours(files, tmp)
        rows, agg = [], {}
        for i, (path, ours) in enumerate(zip(files, index)):
            name = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
            if 'error' in ours:
                try:
                    reference(path)
                    ref_state = 'PIL reads it'
                except Exception as e:  # noqa: BLE001 - reported, not handled
                    ref_state = f'PIL also fails: {e}'
                rows.append(f'| {name} | ours failed: {ours["error"]} ({ref_state}) |')
                continue
            decoded, tv, caffe = reference(path)
            h, w = decoded.shape[:2]
            our_decoded = np.fromfile(os.path.join(tmp, f'{i}.decoded.u8'), np.uint8)
            if our_decoded.size != decoded.size:
                rows.append(f'| {name} | size differs: ours {ours["width"]}x{ours["height"]}, PIL {w}x{h} |')
                continue
            r = {'decode': stats(our_decoded.reshape(decoded.shape), decoded)}
            load = lambda kind, shape: np.fromfile(os.path.join(tmp, f'{i}.{kind}.f32'), np.float32).reshape(shape)
            our_tv = load('torchvision', tv.shape)
            r['tv'] = stats(our_tv, tv)
            r['tv255'] = stats(our_tv * STD * 255, tv * STD * 255)
            r['caffe'] = stats(load('caffe', caffe.shape), caffe)
            for v in SHARP_VARIANTS:
                r[v] = stats(load(v, tv.shape) * STD * 255, tv * STD * 255)
            for k, (mx, mean) in r.items():
                a = agg.setdefault(k, [0.0, 0.0, 0])
                a[0] = max(a[0], mx)
                a[1] += mean
                a[2] += 1
            rows.append(
                f'| {name} | {w}x{h} | {fmt(*r["decode"])} | {fmt(*r["tv"])} | {fmt(*r["tv255"])} | {fmt(*r["caffe"])} | '
                + ' | '.join(fmt(*r[v]) for v in SHARP_VARIANTS) + ' |')
    head = ('| image | size | decode vs PIL (0..255) | torchvision tensor | same, 0..255 units | caffe tensor (0..255) | '
            + ' | '.join(SHARP_VARIANTS) + ' |')
    print('max / mean absolute difference, ours vs torchvision+PIL; sharp-* columns: the torchvision tensor with '
          'sharp resizing instead of our Pillow-exact resize, in 0..255 units\n')
    print(head)
    print('|' + '---|' * (head.count('|') - 1))
    if not summary_only:
        print('\n'.join(rows))
    if agg:
        n = next(iter(agg.values()))[2]
        cells = [fmt(agg[k][0], agg[k][1] / agg[k][2]) for k in ['decode', 'tv', 'tv255', 'caffe'] + SHARP_VARIANTS]
        print(f'| **all {n} (max / mean of means)** | | ' + ' | '.join(cells) + ' |')
    failed = [r for r in rows if 'failed' in r or 'differs' in r]
    if summary_only and failed:
        print('\n'.join(failed))


def write_reference():
    """A compact torchvision reference for test/unit/image-preprocess.test.ts: per-channel means of
    the whole tensor and every 8th pixel of every 8th row (28x28x3 values)."""
    refs = []
    for name, kind in [('grace_hopper.jpg', 'torchvision'), ('dog.png', 'caffe')]:
        _, tv, caffe = reference(os.path.join(DEFAULT_FOLDER, name))
        t = tv if kind == 'torchvision' else caffe
        refs.append({
            'image': name, 'spec': kind, 'shape': list(t.shape), 'stride': 8,
            'channelMeans': [round(float(t[:, :, c].astype(np.float64).mean()), 7) for c in range(3)],
            'samples': [round(float(v), 6) for v in t[::8, ::8, :].reshape(-1)],
        })
    out = os.path.join(ROOT, 'test', 'fixtures', 'images', 'torchvision-reference.json')
    with open(out, 'w') as f:
        json.dump({'generator': 'scripts/compare-preprocess.py --write-reference',
                   'torch': torch.__version__, 'pillow': Image.__version__, 'references': refs}, f)
    print('wrote', out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('folders', nargs='*', default=[DEFAULT_FOLDER])
    p.add_argument('--recursive', action='store_true')
    p.add_argument('--summary-only', action='store_true')
    p.add_argument('--write-reference', action='store_true')
    a = p.parse_args()
    if a.write_reference:
        return write_reference()
    files = list_images(a.folders, a.recursive)
    if not files:
        sys.exit(f'no images in {a.folders}')
    compare(files, a.summary_only)


if __name__ == '__main__':
    main()
