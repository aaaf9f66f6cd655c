#!/usr/bin/env python3
"""The "Small data from scratch" recipe of issue 13 in PyTorch, and the failures it replaces.

Trains torchvision's AlexNet from scratch on a class-per-folder dataset (a stratified 20% of each
class held out, as our trainer does; the split itself differs: our RNG is not Python's) and prints
one line per epoch, then a JSON summary line. `--val-from RUN_DIR` takes the train/val split of one
of our runs (scripts/bench/ourSplit.ts re-draws it) instead, so both trainers are measured on the same split.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp MALLOC_MMAP_MAX_=0 \\
    /usr/bin/python3 scripts/bench/small_data_recipe.py DATASET [--optimizer adam|sgd] [--lr X|find]
      [--init default|he|paper] [--batch 32] [--epochs 50] [--warmup-epochs 1] [--clip 1.0]
      [--early-stop 10] [--time-limit 600] [--seed 1] [--val-from RUN_DIR]

The recipe (the defaults here, mirrored by src/engine/train/presets.ts):
  - Adam (betas 0.9/0.999, no weight decay), PyTorch's default init (kaiming-uniform a=sqrt(5));
  - lr from a learning-rate finder (fastai's lr_find): an exponential sweep from 1e-6 to 0.1 over
    `--finder-steps` (20) training steps, stopped when the smoothed loss exceeds 4x its minimum; the
    pick is a tenth of the lr where the smoothed loss first rose 25% above its minimum (clamped to
    [1e-5, 3e-4] for Adam: a 20-step sweep mostly finds where the loss blows up, and a tenth of that
    was too high for Adam on AlexNet from scratch); the weights are reset afterwards;
  - linear warm-up (lr x step / N) over the first epoch (at least 5 steps), then constant (no
    plateau drops: the preset's patience is 0);
  - gradients clipped to a global L2 norm of 1.0; batch min(32, max(8, ceil(train / 4))), never more
    than the training images (several Adam steps per epoch matter more than a large batch here);
  - up to 50 epochs, early stop when the validation loss has not improved for `--early-stop` (10) epochs; the best epoch
    is the one with the highest validation accuracy, ties broken by the lower validation loss.
Data as in our trainer: the shorter side resized to 256 (Lanczos), random 224 crops + horizontal
flips for training, the centre crop for validation, ImageNet mean/std.
"""
import argparse
import json
import math
import os
import sys
import time


def sched_wait():
    """seconds this process's threads waited for a CPU (run queue), from /proc/self/task/*/schedstat:
    on a shared machine wall time = compute + this wait, so both are reported"""
    total = 0
    for t in os.listdir('/proc/self/task'):
        try:
            total += int(open(f'/proc/self/task/{t}/schedstat').read().split()[1])
        except OSError:
            pass
    return total / 1e9


def scan(folder, val_fraction, seed):
    import random
    names = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith('.'))
    train, val = [], []
    for label, name in enumerate(names):
        files = sorted(os.path.join(folder, name, f) for f in os.listdir(os.path.join(folder, name)) if not f.startswith('.'))
        if not files:
            continue
        random.Random(seed * 1000 + label).shuffle(files)
        n_val = max(1 if len(files) >= 2 else 0, round(len(files) * val_fraction))
        n_val = min(n_val, len(files) - 1)
        val += [(f, label) for f in files[:n_val]]
        train += [(f, label) for f in files[n_val:]]
    return names, train, val


def split_from_run(folder, run_dir):
    """our run's split: scripts/bench/ourSplit.ts re-draws it with the seed and fraction in its config.json
    (the run's metrics keep only a few example paths per confusion cell)"""
    import subprocess
    repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    with open(os.path.join(run_dir, 'config.json')) as f:
        run = json.load(f)
    out = subprocess.run([os.path.join(repo, 'node_modules/.bin/tsx'), os.path.join(repo, 'scripts/bench/ourSplit.ts'), folder,
                          str(run['config']['seed']), str(run['config']['valFraction'])], check=True, capture_output=True, text=True).stdout
    split = json.loads(out)
    if (len(split['train']), len(split['val'])) != (run['trainCount'], run['valCount']):
        sys.exit(f"--val-from {run_dir}: the run had {run['trainCount']}/{run['valCount']} images, the folder now splits {len(split['train'])}/{len(split['val'])}")
    return split['classNames'], [tuple(x) for x in split['train']], [tuple(x) for x in split['val']]


def load_all(items, resize_to):
    import numpy as np
    from PIL import Image, ImageOps
    out = []
    for path, label in items:
        img = ImageOps.exif_transpose(Image.open(path)).convert('RGB')
        w, h = img.size
        s = resize_to / min(w, h)
        img = img.resize((max(resize_to, int(w * s + 0.5)), max(resize_to, int(h * s + 0.5))), Image.LANCZOS)
        out.append((np.asarray(img, dtype=np.uint8), label))
    return out


MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def to_tensor(crops):
    import numpy as np
    import torch
    x = torch.from_numpy(np.ascontiguousarray(np.stack(crops))).permute(0, 3, 1, 2).float() / 255
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def batch_of(data, idx, S, rng, augment):
    crops, labels = [], []
    for i in idx:
        a, label = data[i]
        h, w = a.shape[:2]
        if augment:
            x, y = int(rng.integers(0, w - S + 1)), int(rng.integers(0, h - S + 1))
            c = a[y:y + S, x:x + S]
            if rng.random() < 0.5:
                c = c[:, ::-1]
        else:
            x, y = (w - S) // 2, (h - S) // 2
            c = a[y:y + S, x:x + S]
        crops.append(c)
        labels.append(label)
    import torch
    return to_tensor(crops), torch.tensor(labels)


def make_model(num_classes, init, seed):
    import torch
    import torchvision
    torch.manual_seed(seed)
    model = torchvision.models.alexnet(num_classes=num_classes)
    if init == 'he':
        for m in model.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
                torch.nn.init.zeros_(m.bias)
    elif init == 'paper':
        # N(0, 0.01) weights; biases 1 in conv2, conv4, conv5 and the hidden FC layers, 0 elsewhere
        convs = [m for m in model.features if isinstance(m, torch.nn.Conv2d)]
        fcs = [m for m in model.classifier if isinstance(m, torch.nn.Linear)]
        for i, m in enumerate(convs + fcs):
            torch.nn.init.normal_(m.weight, 0, 0.01)
            one = (m in convs and convs.index(m) in (1, 3, 4)) or (m in fcs and fcs.index(m) < 2)
            torch.nn.init.constant_(m.bias, 1.0 if one else 0.0)
    return model


def make_opt(name, params, lr, momentum, wd):
    import torch
    if name == 'adam':
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=wd)


def step(model, opt, loss_fn, x, y, clip):
    import torch
    opt.zero_grad(set_to_none=True)
    logits = model(x)
    loss = loss_fn(logits, y)
    loss.backward()
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss.item(), (logits.argmax(1) == y).sum().item()


def lr_find(args, data, num_classes, S, rng):
    """fastai-style sweep; returns (picked lr, [(lr, smoothed loss)])."""
    import torch
    model = make_model(num_classes, args.init, args.seed)
    opt = make_opt(args.optimizer, model.parameters(), args.finder_start, args.momentum, args.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    n = args.finder_steps
    mult = (args.finder_end / args.finder_start) ** (1 / max(1, n - 1))
    lr, avg, best, trace = args.finder_start, 0.0, math.inf, []
    order = []
    for k in range(n):
        if len(order) < args.batch:
            order += list(rng.permutation(len(data)))
        idx, order = order[:args.batch], order[args.batch:]
        for g in opt.param_groups:
            g['lr'] = lr
        x, y = batch_of(data, idx, S, rng, True)
        loss, _ = step(model, opt, loss_fn, x, y, args.clip)
        avg = 0.7 * avg + 0.3 * loss  # fastai smooths with beta 0.98 over 100 steps; fewer steps here
        smooth = avg / (1 - 0.7 ** (k + 1))
        trace.append((lr, smooth))
        if not math.isfinite(smooth) or (k > 4 and smooth > 4 * best):
            break
        best = min(best, smooth)
        lr *= mult
    lrs, losses = zip(*trace)
    # as src/engine/train/schedule.ts pickFinderLr: a tenth of the lr where the smoothed loss first
    # rose 25% above its minimum before (or of the largest lr tried), clamped to finderRange:
    # [1e-5, 3e-4] for Adam, [1e-4, 0.03] for SGD
    lowest, at = math.inf, lrs[-1]
    for i, s in enumerate(losses):
        if not math.isfinite(s) or (i > 0 and s > 1.25 * lowest):
            at = lrs[i]
            break
        lowest = min(lowest, s)
    lo, hi = (1e-5, 3e-4) if args.optimizer == 'adam' else (1e-4, 0.03)
    return min(hi, max(lo, at / 10)), trace


def main():
    p = argparse.ArgumentParser()
    p.add_argument('dataset')
    p.add_argument('--optimizer', default='adam', choices=['adam', 'sgd'])
    p.add_argument('--lr', default='find')
    p.add_argument('--init', default='default', choices=['default', 'he', 'paper'])
    p.add_argument('--momentum', type=float, default=0.9)
    p.add_argument('--weight-decay', type=float, default=None)
    p.add_argument('--batch', type=int, default=0, help='0: min(32, max(8, ceil(train / 4))), as the small-data preset')
    p.add_argument('--epochs', type=int, default=50)
    p.add_argument('--warmup-epochs', type=float, default=1)
    p.add_argument('--clip', type=float, default=1.0)
    p.add_argument('--early-stop', type=int, default=10)
    p.add_argument('--time-limit', type=float, default=600)
    p.add_argument('--finder-steps', type=int, default=20)
    p.add_argument('--finder-start', type=float, default=1e-6)
    p.add_argument('--finder-end', type=float, default=0.1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--label', default='')
    p.add_argument('--val-from', default='', help="one of our run folders: use its validation images")
    args = p.parse_args()
    if args.weight_decay is None:
        args.weight_decay = 0.0 if args.optimizer == 'adam' else 5e-4
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    t0 = time.time()
    names, train_items, val_items = split_from_run(args.dataset, args.val_from) if args.val_from else scan(args.dataset, 0.2, args.seed)
    S = 224
    train = load_all(train_items, 256)
    val = load_all(val_items, 256)
    auto = min(32, max(8, math.ceil(len(train) / 4)))
    batch = min(args.batch or auto, len(train))
    if batch < args.batch:
        print(f'note: batch {args.batch} is larger than the {len(train)} training images; using {batch}', flush=True)
    args.batch = batch
    rng = np.random.default_rng(args.seed)
    finder = None
    if args.lr == 'find':
        tf = time.time()
        lr, trace = lr_find(args, train, len(names), S, rng)
        finder = {'lr': lr, 'steps': len(trace), 'seconds': round(time.time() - tf, 1)}
        print(f'lr finder: {len(trace)} steps, {finder["seconds"]} s -> lr {lr:.2e}  ' +
              ' '.join(f'{a:.0e}:{b:.2f}' for a, b in trace[::4]), flush=True)
    else:
        lr = float(args.lr)
    model = make_model(len(names), args.init, args.seed)
    opt = make_opt(args.optimizer, model.parameters(), lr, args.momentum, args.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    steps_per_epoch = math.ceil(len(train) / batch)
    warmup = 0 if args.warmup_epochs <= 0 else max(5, round(args.warmup_epochs * steps_per_epoch))
    best = None
    since_best_loss, best_loss = 0, math.inf
    history = []
    gstep = 0
    stopped = 'epochs'
    for epoch in range(1, args.epochs + 1):
        te = time.time()
        model.train()
        order = rng.permutation(len(train))
        lsum = csum = 0
        for b in range(steps_per_epoch):
            idx = order[b * batch:(b + 1) * batch]
            gstep += 1
            cur = lr * gstep / warmup if warmup and gstep < warmup else lr  # as config.ts warmupLr
            for g in opt.param_groups:
                g['lr'] = cur
            x, y = batch_of(train, idx, S, rng, True)
            loss, correct = step(model, opt, loss_fn, x, y, args.clip)
            lsum += loss * len(idx)
            csum += correct
        model.eval()
        vl = vc = 0
        with torch.no_grad():
            for b in range(0, len(val), 32):
                x, y = batch_of(val, range(b, min(len(val), b + 32)), S, rng, False)
                logits = model(x)
                vl += torch.nn.functional.cross_entropy(logits, y, reduction='sum').item()
                vc += (logits.argmax(1) == y).sum().item()
        rec = {'epoch': epoch, 'trainLoss': lsum / len(train), 'trainAcc': csum / len(train), 'valLoss': vl / len(val),
               'valAcc': vc / len(val), 'lr': cur, 'seconds': round(time.time() - te, 1), 'elapsed': round(time.time() - t0, 1),
               'cpu': round(time.process_time(), 1), 'wait': round(sched_wait(), 1)}
        history.append(rec)
        if best is None or rec['valAcc'] > best['valAcc'] or (rec['valAcc'] == best['valAcc'] and rec['valLoss'] < best['valLoss']):
            best = rec
        print(f"epoch {epoch:3d}  train {rec['trainLoss']:.3f} {rec['trainAcc']:.3f}  val {rec['valLoss']:.3f} {rec['valAcc']:.3f}  "
              f"lr {cur:.2e}  {rec['seconds']} s  ({rec['elapsed']} s, cpu {rec['cpu']} s, run-queue wait {rec['wait']} s)", flush=True)
        if not math.isfinite(rec['trainLoss']):
            stopped = 'nan'
            break
        if rec['valLoss'] < best_loss - 1e-4:
            best_loss, since_best_loss = rec['valLoss'], 0
        else:
            since_best_loss += 1
        if args.early_stop and since_best_loss >= args.early_stop:
            stopped = 'early-stop'
            break
        if time.time() - t0 > args.time_limit:
            stopped = 'time-limit'
            break
    first90 = next((h['elapsed'] for h in history if h['valAcc'] >= 0.9), None)
    first95 = next((h['elapsed'] for h in history if h['valAcc'] >= 0.95), None)
    print(json.dumps({'label': args.label, 'dataset': os.path.basename(os.path.normpath(args.dataset)), 'optimizer': args.optimizer,
                      'init': args.init, 'lr': lr, 'finder': finder, 'batch': batch, 'clip': args.clip, 'warmupSteps': warmup,
                      'train': len(train), 'val': len(val), 'bestEpoch': best['epoch'], 'bestValAccuracy': best['valAcc'],
                      'bestValLoss': best['valLoss'], 'epochs': len(history), 'stopped': stopped, 'secondsTo90': first90,
                      'secondsTo95': first95, 'seconds': round(time.time() - t0, 1), 'cpuSeconds': round(time.process_time(), 1),
                      'schedWaitSeconds': round(sched_wait(), 1), 'loadavg': open('/proc/loadavg').read().split()[:3], 'torch': torch.__version__}), flush=True)


if __name__ == '__main__':
    main()
