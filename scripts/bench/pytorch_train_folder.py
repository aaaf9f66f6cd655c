#!/usr/bin/env python3
"""The PyTorch side of `npm run bench:tta` (scripts/bench/timeToAccuracy.mjs): trains AlexNet on a
folder with train/ and val/ (one subfolder per class) with the recipe our trainer uses, and prints
one JSON line per event on stdout ('@@TTA {json}').

  pytorch_train_folder.py train --spec SPEC.json --weights INIT.safetensors --data DIR [options]
  pytorch_train_folder.py logits --spec SPEC.json --weights INIT.safetensors --input X.f32 --batch N

The weights are our canonical safetensors (conv HWIO, dense [in, out], fc6 rows in H,W,C order),
read with numpy and turned into PyTorch's layout here, so both sides start from the same numbers.
The recipe mirrors src/engine/train (trainer.ts, augment.ts, loader.ts, sgd.ts):
  - images decoded once (EXIF orientation applied), shorter side resized to the spec's resizeTo
    with Lanczos, kept in memory (our ImageSource caches them too);
  - training: random crop + horizontal flip per image and epoch; validation: centre crop;
  - frozen: conv layers fixed and run without autograd; validation pool5 features computed once;
    training crops random (--crops random, the usual recipe) or, as our trainer does, one of 10 fixed
    crops (centre + 4 corners, each also flipped) per image and epoch with each crop's features
    computed once (--crops fixed);
  - SGD momentum / weight decay over the trainable parameters, mean cross-entropy;
  - lr / 10 after `patience` epochs without a lower validation loss (our plateau rule).
Run with LD_LIBRARY_PATH pointing at OpenBLAS (timeToAccuracy.mjs does).
"""
import argparse
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def emit(obj):
    obj['time'] = time.time() * 1000  # wall clock in ms, comparable with Date.now() of the parent
    sys.stdout.write('@@TTA ' + json.dumps(obj) + '\n')
    sys.stdout.flush()


def read_safetensors(path):
    import numpy as np
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf8'))
    base = 8 + n
    out = {}
    for name, t in header.items():
        if name == '__metadata__':
            continue
        if t['dtype'] != 'F32':
            raise ValueError(f'{name}: dtype {t["dtype"]}, expected F32')
        a, b = t['data_offsets']
        out[name] = np.frombuffer(raw, dtype='<f4', count=(b - a) // 4, offset=base + a).reshape(t['shape'])
    return out


def canonical_to_torch(spec, tensors):
    """Canonical tensors -> {module name: (weight, bias)} in PyTorch layout."""
    import numpy as np
    out = {}
    first_dense = True
    prev_conv = None
    for l in spec['layers']:
        if l['kind'] == 'conv':
            prev_conv = l
        if l['kind'] not in ('conv', 'dense'):
            continue
        w = tensors[l['name'] + '.weight']
        b = tensors[l['name'] + '.bias']
        if l['kind'] == 'conv':
            w = w.transpose(3, 2, 0, 1)  # [kh, kw, in/g, out] -> [out, in/g, kh, kw]
        else:
            if first_dense:
                # rows in H,W,C order (an NHWC flatten) -> PyTorch's C,H,W flatten
                c = prev_conv['filters']
                hw = l['inUnits'] // c
                side = int(round(hw ** 0.5))
                w = w.reshape(side, side, c, l['units']).transpose(2, 0, 1, 3).reshape(l['inUnits'], l['units'])
            w = w.T  # [in, out] -> [out, in]
            first_dense = False
        out[l['name']] = (np.array(w, order='C'), np.array(b, order='C'))  # writable copies of the file's bytes
    return out


def build(spec, weights_path):
    """The model (pytorch_peer.build_model's layer list) with the file's weights, and the index after pool5."""
    import torch
    from pytorch_peer import build_model
    model = build_model(spec)
    params = canonical_to_torch(spec, read_safetensors(weights_path))
    index = 0
    split = None
    for l in spec['layers']:
        if l['kind'] == 'softmax':
            continue
        m = model[index]
        if l['name'] in params:
            w, b = params[l['name']]
            if tuple(m.weight.shape) != w.shape or tuple(m.bias.shape) != b.shape:
                raise ValueError(f"{l['name']}: file {w.shape}/{b.shape}, model {tuple(m.weight.shape)}/{tuple(m.bias.shape)}")
            with torch.no_grad():
                m.weight.copy_(torch.from_numpy(w))
                m.bias.copy_(torch.from_numpy(b))
        if l['name'] == 'pool5':
            split = index + 1
        index += 1
    if split is None:
        raise ValueError('spec has no pool5')
    return model, split


class Images:
    """Class folders under DIR/train and DIR/val; images decoded and resized once, kept as uint8 HWC."""

    def __init__(self, resize_to):
        self.resize_to = resize_to
        self.cache = {}

    def scan(self, folder, class_names=None):
        names = class_names or sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith('.'))
        items = []
        for label, name in enumerate(names):
            root = os.path.join(folder, name)
            if not os.path.isdir(root):
                continue
            for dirpath, dirnames, files in os.walk(root):
                dirnames.sort()
                for f in sorted(files):
                    if not f.startswith('.'):
                        items.append((os.path.join(dirpath, f), label))
        return names, items

    def load(self, path):
        import numpy as np
        from PIL import Image, ImageOps
        hit = self.cache.get(path)
        if hit is not None:
            return hit
        try:
            img = ImageOps.exif_transpose(Image.open(path)).convert('RGB')
        except Exception:
            self.cache[path] = False
            return False
        w, h = img.size
        s = self.resize_to / min(w, h)
        nw, nh = max(self.resize_to, int(w * s + 0.5)), max(self.resize_to, int(h * s + 0.5))
        if (nw, nh) != (w, h):
            img = img.resize((nw, nh), Image.LANCZOS)
        a = np.asarray(img, dtype=np.uint8)
        self.cache[path] = a
        return a


class Normaliser:
    def __init__(self, norm):
        import torch
        self.caffe = norm['kind'] == 'caffe-bgr'
        self.mean = torch.tensor(norm['mean'], dtype=torch.float32).view(1, 3, 1, 1)
        if not self.caffe:
            self.std = torch.tensor(norm['std'], dtype=torch.float32).view(1, 3, 1, 1)

    def __call__(self, crops):
        """uint8 N x S x S x 3 (RGB) -> float NCHW as the variant expects."""
        import torch
        x = torch.from_numpy(crops).permute(0, 3, 1, 2).float()
        if self.caffe:
            return x.flip(1) - self.mean  # BGR, [0, 255], minus the B,G,R mean
        return (x / 255 - self.mean) / self.std


def crop(a, size, x, y, flip):
    c = a[y:y + size, x:x + size]
    return c[:, ::-1] if flip else c


def centre(a, size):
    h, w = a.shape[:2]
    return crop(a, size, (w - size) // 2, (h - size) // 2, False)


def train(args):
    import numpy as np
    import torch
    emit({'kind': 'start'})
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    spec = json.load(open(args.spec))
    S = spec['inputSize']
    model, split = build(spec, args.weights)
    features, head = model[:split], model[split:]
    frozen = args.mode == 'frozen'
    if frozen:
        for p in features.parameters():
            p.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(trainable, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    norm = Normaliser(spec['normalisation'])
    images = Images(spec['resizeTo'])
    class_names, train_items = images.scan(os.path.join(args.data, 'train'))
    _, val_items = images.scan(os.path.join(args.data, 'val'), class_names)
    augment = args.crop or args.flip

    def batches(items, order, pick):
        for i in range(0, len(order), args.batch_size):
            chunk = []
            for k in order[i:i + args.batch_size]:
                a = images.load(items[k][0])
                if a is not False:
                    chunk.append((pick(a), items[k][1]))
            if chunk:
                yield norm(np.ascontiguousarray(np.stack([c for c, _ in chunk]))), torch.tensor([l for _, l in chunk])

    def feature_cache(items):
        out = []
        with torch.no_grad():
            for x, y in batches(items, list(range(len(items))), lambda a: centre(a, S)):
                out.append((features(x), y))
        return out

    def random_crop(a):
        h, w = a.shape[:2]
        x = int(rng.integers(0, w - S + 1)) if args.crop else (w - S) // 2
        y = int(rng.integers(0, h - S + 1)) if args.crop else (h - S) // 2
        return crop(a, S, x, y, args.flip and rng.random() < 0.5)

    # Fixed crops (our frozen mode, augment.ts fixedCrops): centre and four corners, each also flipped;
    # every image draws one per epoch and the features of each (image, crop) are computed once.
    positions = ['centre', 'top-left', 'top-right', 'bottom-left', 'bottom-right'] if args.crop else ['centre']
    variants = [(p, f) for f in ([False, True] if args.flip else [False]) for p in positions]
    cached = {}

    def fixed_crop(a, v):
        h, w = a.shape[:2]
        pos, flip = variants[v]
        x, y = {'centre': ((w - S) // 2, (h - S) // 2), 'top-left': (0, 0), 'top-right': (w - S, 0),
                'bottom-left': (0, h - S), 'bottom-right': (w - S, h - S)}[pos]
        return crop(a, S, x, y, flip)

    def fixed_batches(order):
        for i in range(0, len(order), args.batch_size):
            keys = [(k, int(rng.integers(len(variants)))) for k in order[i:i + args.batch_size]]
            missing = [key for key in keys if key not in cached]
            if missing:
                arrays = [(key, images.load(train_items[key[0]][0])) for key in missing]
                ok = [(key, a) for key, a in arrays if a is not False]
                for key, a in arrays:
                    if a is False:
                        cached[key] = None
                if ok:
                    with torch.no_grad():
                        f = features(norm(np.ascontiguousarray(np.stack([fixed_crop(a, key[1]) for key, a in ok]))))
                    for j, (key, _) in enumerate(ok):
                        cached[key] = f[j]
            keys = [key for key in keys if cached[key] is not None]
            if keys:
                yield torch.stack([cached[key] for key in keys]), torch.tensor([train_items[key[0]][1] for key in keys])

    fixed = frozen and (args.crops == 'fixed' or not augment)
    val_features = feature_cache(val_items) if frozen else None
    emit({'kind': 'ready', 'classes': class_names, 'train': len(train_items), 'val': len(val_items),
          'threads': torch.get_num_threads(), 'torch': torch.__version__, 'crops': 'fixed' if fixed else 'random'})

    lr = args.lr
    best_monitor = None
    since_improvement = 0
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        loss_sum = correct = seen = 0
        order = rng.permutation(len(train_items)).tolist()
        stream = fixed_batches(order) if fixed else batches(train_items, order, random_crop)
        for x, y in stream:
            if frozen and not fixed:
                with torch.no_grad():
                    x = features(x)
            logits = head(x) if frozen else model(x)
            loss = loss_fn(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
        model.eval()
        vloss = vcorrect = vseen = 0
        with torch.no_grad():
            stream = val_features if frozen else batches(val_items, list(range(len(val_items))), lambda a: centre(a, S))
            for x, y in stream:
                logits = head(x) if frozen else model(x)
                vloss += torch.nn.functional.cross_entropy(logits, y, reduction='sum').item()
                vcorrect += (logits.argmax(1) == y).sum().item()
                vseen += len(y)
        val_loss = vloss / vseen if vseen else None
        monitor = val_loss if val_loss is not None else loss_sum / max(seen, 1)
        lr_used = lr
        # our plateau rule (trainer.ts): lr / 10 after `patience` epochs without a lower loss
        if best_monitor is None or monitor < best_monitor - 1e-7:
            best_monitor, since_improvement = monitor, 0
        else:
            since_improvement += 1
            if since_improvement >= args.patience:
                lr /= 10
                since_improvement = 0
                for g in opt.param_groups:
                    g['lr'] = lr
        emit({'kind': 'epoch', 'epoch': epoch, 'trainLoss': loss_sum / max(seen, 1), 'trainAcc': correct / max(seen, 1),
              'valLoss': val_loss, 'valAcc': vcorrect / vseen if vseen else None, 'lr': lr_used, 'nextLr': lr,
              'seconds': time.perf_counter() - t0})
    emit({'kind': 'done'})


def logits(args):
    """Forward pass of a raw float32 NHWC batch (our input layout) through the file's weights."""
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    spec = json.load(open(args.spec))
    model, _ = build(spec, args.weights)
    S = spec['inputSize']
    x = np.fromfile(args.input, dtype='<f4').reshape(args.batch, S, S, 3)
    with torch.no_grad():
        out = model.eval()(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous())
    sys.stdout.write(json.dumps(out.tolist()) + '\n')


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('command', choices=['train', 'logits'])
    p.add_argument('--spec', required=True)
    p.add_argument('--weights', required=True)
    p.add_argument('--data')
    p.add_argument('--input')
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--mode', choices=['frozen', 'finetune', 'scratch'], default='frozen')
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--lr', type=float, default=0.0001)
    p.add_argument('--momentum', type=float, default=0.9)
    p.add_argument('--weight-decay', type=float, default=0.0005)
    p.add_argument('--patience', type=int, default=3)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--no-crop', dest='crop', action='store_false')
    p.add_argument('--no-flip', dest='flip', action='store_false')
    p.add_argument('--crops', choices=['random', 'fixed'], default='random', help='frozen mode: random crops, or the fixed crops our trainer caches')
    a = p.parse_args()
    if a.command == 'train':
        train(a)
    else:
        logits(a)
