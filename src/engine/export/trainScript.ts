// The train.py of an exported PyTorch project (see pytorchProject.ts). Kept as a string so the
// bundled extension and CLI carry it; it reads project.json (written next to it) for everything
// that belongs to the run: classes, split, recipe, widths.
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""AlexNet Explorer training run, exported as a PyTorch project.

    torchrun --nproc_per_node=N train.py [--epochs E] [--data DIR] [--out RUN_DIR]

DistributedDataParallel: gloo on CPU, nccl when CUDA is available. The recipe, augmentation,
class list and train/validation split come from project.json (the run this was exported from).
Writes an AlexNet Explorer run folder (config.json, metrics.jsonl, checkpoint.safetensors,
best.safetensors): open it with "AlexNet: Open Training Run", load best.safetensors with
"AlexNet: Use Trained Model".
"""
import argparse
import datetime
import json
import math
import os
import random
import struct
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


# --- the network (same module names as the exported start.pth) ------------------------------
class TorchvisionAlexNet(nn.Module):
    """torchvision.models.AlexNet, widths from the run."""

    def __init__(self, conv, fc, classes):
        super().__init__()
        c1, c2, c3, c4, c5 = conv
        self.features = nn.Sequential(
            nn.Conv2d(3, c1, 11, 4, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(c5 * 36, fc[0]), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(fc[0], fc[1]), nn.ReLU(inplace=True),
            nn.Linear(fc[1], classes))
        self.layers = {'conv1': self.features[0], 'conv2': self.features[3], 'conv3': self.features[6],
                       'conv4': self.features[8], 'conv5': self.features[10],
                       'fc6': self.classifier[1], 'fc7': self.classifier[4], 'fc8': self.classifier[6]}

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class NotebookAlexNet(nn.Module):
    """The paper's network (LRN; groups=2 on conv2/4/5 for the caffe variant)."""

    def __init__(self, conv, fc, classes, groups=1):
        super().__init__()
        c1, c2, c3, c4, c5 = conv
        lrn = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)
        self.convolution = nn.Sequential(
            nn.Conv2d(3, c1, 11, 4, 0), nn.ReLU(), nn.LocalResponseNorm(**lrn), nn.MaxPool2d(3, 2),
            nn.Conv2d(c1, c2, 5, padding=2, groups=groups), nn.ReLU(), nn.LocalResponseNorm(**lrn), nn.MaxPool2d(3, 2),
            nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c3, c4, 3, padding=1, groups=groups), nn.ReLU(),
            nn.Conv2d(c4, c5, 3, padding=1, groups=groups), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.fully_connected = nn.Sequential(
            nn.Linear(c5 * 36, fc[0]), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(fc[0], fc[1]), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(fc[1], classes))
        self.layers = {'conv1': self.convolution[0], 'conv2': self.convolution[4], 'conv3': self.convolution[8],
                       'conv4': self.convolution[10], 'conv5': self.convolution[12],
                       'fc6': self.fully_connected[0], 'fc7': self.fully_connected[3], 'fc8': self.fully_connected[6]}

    def forward(self, x):
        return self.fully_connected(torch.flatten(self.convolution(x), 1))


def build_model(p):
    spec = p['spec']
    if p['variant'] == 'torchvision':
        return TorchvisionAlexNet(spec['convChannels'], spec['fcUnits'], len(p['classNames']))
    return NotebookAlexNet(spec['convChannels'], spec['fcUnits'], len(p['classNames']), 2 if p['variant'] == 'caffe' else 1)


def paper_init(model, variant, seed):
    """The paper's initialisation: N(0, 0.01) weights, biases 1 in conv2/4/5 and the FC layers, else 0."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, m in model.layers.items():
            m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.01)
            m.bias.fill_(1.0 if name in ('conv2', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8') else 0.0)


# --- data ----------------------------------------------------------------------------------
FIXED = ['centre', 'top-left', 'top-right', 'bottom-left', 'bottom-right']


class Images(torch.utils.data.Dataset):
    def __init__(self, items, root, p, train, epoch_ref):
        self.items, self.root, self.p, self.train, self.epoch_ref = items, root, p, train, epoch_ref
        self.size, self.resize = p['spec']['inputSize'], p['spec']['resizeTo']
        self.norm = p['spec']['normalisation']
        self.aug = p['config']['augment']
        self.frozen = p['config']['mode'] in ('frozen', 'probe')
        self.pca = p.get('pca')

    def __len__(self):
        return len(self.items)

    def load(self, i):
        img = Image.open(os.path.join(self.root, self.items[i][0])).convert('RGB')
        w, h = img.size
        s = self.resize / min(w, h)
        img = img.resize((max(self.resize, round(w * s)), max(self.resize, round(h * s))), Image.BILINEAR)
        return np.asarray(img, dtype=np.float32)

    def __getitem__(self, i):
        path, label = self.items[i]
        try:
            a = self.load(i)
        except Exception as e:  # unreadable image: skipped, as the engine does
            return None
        H, W, S = a.shape[0], a.shape[1], self.size
        r = random.Random(hash((self.p['config']['seed'], self.epoch_ref[0], i)))
        x0, y0, flip, shift = (W - S) // 2, (H - S) // 2, False, np.zeros(3, np.float32)
        if self.train and self.frozen:
            # frozen mode: one of the fixed crops (corners + centre, mirrored), as the engine caches them
            positions = FIXED if self.aug['crop'] else ['centre']
            pos = positions[r.randrange(len(positions))]
            flip = self.aug['flip'] and r.random() < 0.5
            x0 = {'centre': x0, 'top-left': 0, 'bottom-left': 0}.get(pos, W - S)
            y0 = {'centre': y0, 'top-left': 0, 'top-right': 0}.get(pos, H - S)
        elif self.train:
            if self.aug['crop']:
                x0, y0 = r.randrange(W - S + 1), r.randrange(H - S + 1)
            flip = self.aug['flip'] and r.random() < 0.5
            if self.aug['pca'] and self.pca:
                alphas = [r.gauss(0, 0.1) for _ in range(3)]
                for k in range(3):
                    shift += np.float32(alphas[k] * self.pca['eigenvalues'][k]) * np.array(self.pca['eigenvectors'][k], np.float32)
        a = a[y0:y0 + S, x0:x0 + S]
        if flip:
            a = a[:, ::-1]
        if self.norm['kind'] == 'imagenet-rgb':
            a = (a / 255.0 + shift - np.array(self.norm['mean'], np.float32)) / np.array(self.norm['std'], np.float32)
        else:  # caffe: BGR, 0..255, mean in B,G,R order
            a = (a + shift * 255.0)[:, :, ::-1] - np.array(self.norm['mean'], np.float32)
        return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1), dtype=np.float32)), label, i


def collate(batch):
    ok = [b for b in batch if b is not None]
    if not ok:
        return torch.zeros(0), torch.zeros(0, dtype=torch.long), [], len(batch)
    return torch.stack([b[0] for b in ok]), torch.tensor([b[1] for b in ok]), [b[2] for b in ok], len(batch) - len(ok)


def colour_pca(items, root, seed):
    """The paper's PCA of RGB pixel values ([0, 1] units) over up to 64 training images."""
    pick = list(range(len(items)))
    random.Random(seed).shuffle(pick)
    px = []
    for i in pick[:64]:
        try:
            a = np.asarray(Image.open(os.path.join(root, items[i][0])).convert('RGB'), dtype=np.float64) / 255.0
            px.append(a.reshape(-1, 3)[::4])
        except Exception:
            pass
    if not px:
        return None
    cov = np.cov(np.concatenate(px).T, bias=True)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1]
    return {'eigenvalues': [max(float(vals[k]), 0.0) for k in order], 'eigenvectors': [vecs[:, k].tolist() for k in order]}


# --- AlexNet Explorer's run format --------------------------------------------------------
def canonical(model, spec):
    """Weights in the engine's layout: conv [kh, kw, in, out], dense [in, out], fc6 rows in H,W,C order."""
    out = {}
    c5 = spec['convChannels'][4]
    for name, m in model.layers.items():
        w = m.weight.detach().cpu().float()
        if name.startswith('conv'):
            w = w.permute(2, 3, 1, 0)
        elif name == 'fc6':
            w = w.reshape(w.shape[0], c5, 6, 6).permute(2, 3, 1, 0).reshape(36 * c5, w.shape[0])
        else:
            w = w.t()
        out[name + '.weight'] = w.contiguous()
        out[name + '.bias'] = m.bias.detach().cpu().float().contiguous()
    return out


def save_safetensors(path, tensors, metadata):
    header, offset, blobs = {'__metadata__': metadata}, 0, []
    for k, t in tensors.items():
        b = t.numpy().astype('<f4').tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode('utf8')
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def now_ms():
    return int(time.time() * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int)
    ap.add_argument('--data', help='the dataset folder (default: the one the run used)')
    ap.add_argument('--out', help='run folder to write (default: <date-time>-torch beside the original run, else runs/ here)')
    ap.add_argument('--workers', type=int, default=0)
    args = ap.parse_args()
    p = json.load(open(os.path.join(HERE, 'project.json')))
    cfg = p['config']
    epochs = args.epochs or cfg['epochs']
    root = args.data or p['folder']

    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local = int(os.environ.get('LOCAL_RANK', '0'))
    cuda = torch.cuda.is_available()
    if world > 1:
        dist.init_process_group('nccl' if cuda else 'gloo')
    device = torch.device('cuda', local) if cuda else torch.device('cpu')
    if cuda:
        torch.cuda.set_device(device)
    else:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    torch.manual_seed(cfg['seed'])

    model = build_model(p)
    paper_init(model, p['variant'], cfg['seed'])
    start = os.path.join(HERE, 'start.pth')
    if cfg['mode'] != 'scratch' and os.path.exists(start):
        sd = torch.load(start, map_location='cpu', weights_only=True)
        missing, unexpected = model.load_state_dict(sd, strict=False)
        if unexpected:
            raise SystemExit(f'start.pth has keys this network lacks: {unexpected}')
        # fc8 is new (the run's classes), as in the engine
    frozen = cfg['mode'] in ('frozen', 'probe')
    # a linear probe: only fc8 learns, on fixed fc7 features (no dropout), as in the engine
    head = {'fc8'} if cfg['mode'] == 'probe' else {'fc6', 'fc7', 'fc8'}
    for name, m in model.layers.items():
        for prm in m.parameters():
            prm.requires_grad = not frozen or name in head
    if cfg['mode'] == 'probe':
        for m in model.modules():
            if isinstance(m, nn.Dropout):
                m.p = 0.0
    model.to(device)
    net = nn.parallel.DistributedDataParallel(model, device_ids=[local] if cuda else None) if world > 1 else model

    pca = colour_pca(p['train'], root, cfg['seed']) if cfg['augment']['pca'] and not frozen else None
    p['pca'] = pca
    epoch_ref = [0]
    train_set = Images(p['train'], root, p, True, epoch_ref)
    val_set = Images(p['val'], root, p, False, epoch_ref)
    per_rank = max(1, math.ceil(cfg['batchSize'] / world))
    sampler = torch.utils.data.distributed.DistributedSampler(train_set, world, rank, shuffle=True, seed=cfg['seed']) if world > 1 else None
    train_loader = torch.utils.data.DataLoader(train_set, per_rank, shuffle=sampler is None, sampler=sampler,
                                               num_workers=args.workers, collate_fn=collate, drop_last=False)
    val_loader = torch.utils.data.DataLoader(val_set, 32, shuffle=False, num_workers=args.workers, collate_fn=collate)
    params = [q for q in model.parameters() if q.requires_grad]
    if cfg.get('optimizer', 'sgd') == 'adam':
        betas = cfg.get('adamBetas') or [0.9, 0.999]
        opt = torch.optim.Adam(params, lr=cfg['lr'], betas=tuple(betas), eps=cfg.get('adamEps') or 1e-8, weight_decay=cfg['weightDecay'])
    else:
        opt = torch.optim.SGD(params, lr=cfg['lr'], momentum=cfg['momentum'], weight_decay=cfg['weightDecay'])
    warmup = cfg.get('warmupSteps') or 0
    clip = cfg.get('clipGradNorm') or 0

    classes = p['classNames']
    n_cls = len(classes)
    steps_per_epoch = len(train_loader)
    # next to the run it was exported from when that folder is here (Open Training Run lists it), else runs/ beside train.py
    root_dir = p.get('runsRoot') if p.get('runsRoot') and os.path.isdir(p['runsRoot']) else os.path.join(HERE, 'runs')
    run_dir = args.out or os.path.join(root_dir, datetime.datetime.now().strftime('%Y-%m-%d_%H-%M-%S') + '-torch')
    if rank == 0:
        os.makedirs(run_dir, exist_ok=True)
        run_cfg = {'version': 1, 'folder': root, 'config': {**cfg, 'epochs': epochs}, 'classNames': classes,
                   'trainCount': len(p['train']), 'valCount': len(p['val']), 'stepsPerEpoch': steps_per_epoch,
                   'layout': p['layout'], 'createdAt': datetime.datetime.utcnow().isoformat() + 'Z',
                   'trainedBy': f'PyTorch {torch.__version__}, DistributedDataParallel x{world} ({"nccl" if cuda else "gloo"})'}
        json.dump(run_cfg, open(os.path.join(run_dir, 'config.json'), 'w'), indent=2)
        metrics = open(os.path.join(run_dir, 'metrics.jsonl'), 'a')
    meta_common = {'variant': p['variant'], 'classNames': json.dumps(classes)}
    state = {'epochsDone': 0, 'globalStep': 0, 'lr': cfg['lr'], 'bestValAcc': None, 'bestMonitor': None,
             'sinceImprovement': 0, 'sinceBest': 0, 'lrDrops': 0, 'finished': False, 'earlyStopped': False,
             'pca': None, 'seed': cfg['seed'], 'initialWeights': p['initialWeights']}

    for epoch in range(1, epochs + 1):
        t_epoch = time.time()
        epoch_ref[0] = epoch
        if sampler:
            sampler.set_epoch(epoch)
        net.train()
        loss_sum = correct_sum = seen = 0.0
        skipped = 0
        t0 = time.time()
        for step, (x, y, _, bad) in enumerate(train_loader, 1):
            wait = time.time() - t0
            c0 = time.time()
            gstep = (epoch - 1) * steps_per_epoch + step
            step_lr = state['lr'] * gstep / warmup if warmup and gstep < warmup else state['lr']
            for g in opt.param_groups:
                g['lr'] = step_lr
            stats = torch.zeros(3, dtype=torch.float64)
            if len(y):
                x, y = x.to(device), y.to(device)
                logits = net(x)
                loss = F.cross_entropy(logits, y)
                opt.zero_grad()
                loss.backward()
                if clip:
                    torch.nn.utils.clip_grad_norm_(params, clip)
                opt.step()
                stats = torch.tensor([loss.item() * len(y), (logits.argmax(1) == y).sum().item(), len(y)], dtype=torch.float64)
            elif world > 1:
                # no usable image on this rank: still join the gradient all-reduce with zero gradients
                (sum(q.sum() for q in params) * 0).backward()
                opt.zero_grad()
            if world > 1:
                s = stats.to(device)
                dist.all_reduce(s)
                stats = s.cpu()
            skipped += bad
            n = stats[2].item()
            loss_sum += stats[0].item()
            correct_sum += stats[1].item()
            seen += n
            step_s = time.time() - t0
            if rank == 0 and n:
                rec = {'type': 'step', 'epoch': epoch, 'step': step, 'stepsPerEpoch': steps_per_epoch, 'globalStep': gstep,
                       'loss': stats[0].item() / n, 'acc': stats[1].item() / n, 'lr': step_lr, 'batchSize': int(n),
                       'imagesPerSec': n / max(step_s, 1e-9), 'waitMs': wait * 1000, 'computeMs': (time.time() - c0) * 1000, 'time': now_ms()}
                metrics.write(json.dumps(rec) + '\n')
                metrics.flush()
                print(f'epoch {epoch}/{epochs} step {step}/{steps_per_epoch} loss {rec["loss"]:.4f}', flush=True)
            t0 = time.time()

        if rank == 0:
            net.eval()
            cm = [[0] * n_cls for _ in range(n_cls)]
            examples = {}
            vloss = 0.0
            vseen = 0
            with torch.no_grad():
                for x, y, idx, bad in val_loader:
                    skipped += bad
                    if not len(y):
                        continue
                    logits = model(x.to(device))
                    losses = F.cross_entropy(logits, y.to(device), reduction='none')
                    pred = logits.argmax(1).cpu().tolist()
                    for k, (a, b) in enumerate(zip(y.tolist(), pred)):
                        cm[a][b] += 1
                        vloss += losses[k].item()
                        vseen += 1
                        cell = examples.setdefault((a, b), [])
                        if len(cell) < 3:
                            cell.append(os.path.join(root, p['val'][idx[k]][0]))
            val_loss = vloss / vseen if vseen else None
            val_acc = sum(cm[i][i] for i in range(n_cls)) / vseen if vseen else None
            train_loss = loss_sum / seen if seen else float('nan')
            monitor = val_loss if val_loss is not None else train_loss
            lr_used = state['lr']
            if state['bestMonitor'] is None or monitor < state['bestMonitor'] - 1e-7:
                state.update(bestMonitor=monitor, sinceImprovement=0, sinceBest=0)
            else:
                state['sinceImprovement'] += 1
                state['sinceBest'] += 1
                if cfg['patience'] > 0 and state['sinceImprovement'] >= cfg['patience']:
                    state['lr'] /= 10
                    state['lrDrops'] += 1
                    state['sinceImprovement'] = 0
            is_best = (state['bestValAcc'] is None or val_acc > state['bestValAcc']) if val_acc is not None else state['sinceBest'] == 0
            if val_acc is not None and is_best:
                state['bestValAcc'] = val_acc
            state['epochsDone'] = epoch
            state['globalStep'] = epoch * steps_per_epoch
            state['earlyStopped'] = cfg['earlyStop'] > 0 and state['sinceBest'] >= cfg['earlyStop'] and epoch < epochs
            state['finished'] = epoch == epochs or state['earlyStopped']
            col = [sum(cm[r][c] for r in range(n_cls)) for c in range(n_cls)]
            row = [sum(cm[r]) for r in range(n_cls)]
            rec = {'type': 'epoch', 'epoch': epoch, 'globalStep': state['globalStep'], 'trainLoss': train_loss,
                   'trainAcc': correct_sum / seen if seen else float('nan'), 'valLoss': val_loss, 'valAcc': val_acc,
                   'lr': lr_used, 'nextLr': state['lr'], 'confusion': cm,
                   'precision': [cm[c][c] / col[c] if col[c] else None for c in range(n_cls)],
                   'recall': [cm[c][c] / row[c] if row[c] else None for c in range(n_cls)],
                   'examples': [{'actual': a, 'predicted': b, 'paths': v} for (a, b), v in sorted(examples.items())],
                   'skipped': [], 'best': bool(is_best), 'trainImages': int(seen), 'valImages': vseen,
                   'seconds': time.time() - t_epoch, 'time': now_ms()}
            metrics.write(json.dumps(rec) + '\n')
            metrics.flush()
            weights = canonical(model, p['spec'])
            if is_best:
                save_safetensors(os.path.join(run_dir, 'best.safetensors'), weights, {
                    'format': 'alexnet-explorer', **meta_common, 'numClasses': str(n_cls),
                    'inputSize': str(p['spec']['inputSize']), 'resizeTo': str(p['spec']['resizeTo']),
                    'normalisation': json.dumps(p['spec']['normalisation']),
                    'provenance': json.dumps({'kind': 'trained', 'runDir': run_dir, 'dataset': root, 'mode': cfg['mode'],
                                              'initialWeights': p['initialWeights'], 'epoch': epoch, 'valAcc': val_acc,
                                              'valLoss': val_loss, 'trainedBy': 'PyTorch (exported project)',
                                              'savedAt': datetime.datetime.utcnow().isoformat() + 'Z'})})
            save_safetensors(os.path.join(run_dir, 'checkpoint.safetensors'), weights, {
                'format': 'alexnet-explorer-checkpoint', **meta_common, 'state': json.dumps(state)})
            print(f'epoch {epoch}: train loss {train_loss:.4f}, val acc {val_acc}, lr {lr_used}', flush=True)
        if world > 1:
            flags = torch.tensor([1.0 if state['earlyStopped'] else 0.0, state['lr']], dtype=torch.float64)
            flags = flags.to(device)
            dist.broadcast(flags, 0)
            flags = flags.cpu()
            state['lr'] = flags[1].item()
            stop = flags[0].item() > 0
        else:
            stop = state['earlyStopped']
        if stop:
            break
    if rank == 0:
        print(f'run written to {run_dir}', flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
