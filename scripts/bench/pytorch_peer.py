#!/usr/bin/env python3
"""The PyTorch side of `npm run bench`: builds AlexNet from the same layer list the TypeScript
spec gives (spec.ts makeSpec, passed in as JSON), and answers measurement requests on stdin.

  pytorch_peer.py serve              JSON lines in, '@@BENCH {json}' lines out (see scripts/bench.mjs)
  pytorch_peer.py export-onnx SPEC OUT.onnx         torch.onnx.export, opset 13
  pytorch_peer.py save-pth SPEC OUT.pth             random weights as a state_dict
  pytorch_peer.py cold SPEC WEIGHTS.pth IMAGE       cold start: load, preprocess, predict, print top-5

Run it with LD_LIBRARY_PATH pointing at OpenBLAS (bench.mjs does): Debian's libtorch otherwise
runs every Linear layer on the reference BLAS.
"""
import json
import os
import sys
import time


def emit(obj):
    sys.stdout.write('@@BENCH ' + json.dumps(obj) + '\n')
    sys.stdout.flush()


def build_model(spec):
    import torch.nn as nn
    layers = []
    for l in spec['layers']:
        k = l['kind']
        if k == 'conv':
            layers.append(nn.Conv2d(l['inChannels'], l['filters'], l['kernel'], l['stride'], l['pad'], groups=l['groups']))
        elif k == 'relu':
            layers.append(nn.ReLU(inplace=True))
        elif k == 'lrn':
            layers.append(nn.LocalResponseNorm(l['size'], l['alpha'], l['beta'], l['k']))
        elif k == 'maxpool':
            layers.append(nn.MaxPool2d(l['size'], l['stride']))
        elif k == 'adaptiveavgpool':
            layers.append(nn.AdaptiveAvgPool2d((l['size'], l['size'])))
        elif k == 'flatten':
            layers.append(nn.Flatten())
        elif k == 'dropout':
            layers.append(nn.Dropout(l['rate']))
        elif k == 'dense':
            layers.append(nn.Linear(l['inUnits'], l['units']))
        elif k == 'softmax':
            pass  # the loss takes logits; inference adds softmax below
    return nn.Sequential(*layers)


def schedstat():
    """(run ns, runqueue wait ns) summed over this process's threads."""
    run = wait = 0
    for tid in os.listdir('/proc/self/task'):
        try:
            with open(f'/proc/self/task/{tid}/schedstat') as f:
                a = f.read().split()
            run += int(a[0])
            wait += int(a[1])
        except OSError:
            pass
    return run, wait


def vm_hwm_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return None


def timed(fn):
    r0, w0 = schedstat()
    t0 = time.perf_counter()
    fn()
    ms = (time.perf_counter() - t0) * 1000
    r1, w1 = schedstat()
    total = (r1 - r0) + (w1 - w0)
    return ms, ((w1 - w0) / total if total else 0.0)


def serve():
    import torch
    torch.manual_seed(0)
    state = {}
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req['cmd']
        try:
            if cmd == 'setup':
                torch.set_num_threads(req.get('threads', 2))
                spec = req['spec']
                model = build_model(spec)
                state.update(spec=spec, model=model, warm=set())
                emit({'ok': True, 'label': f'PyTorch {torch.__version__}', 'threads': torch.get_num_threads(),
                      'blas': os.environ.get('LD_LIBRARY_PATH', '') and 'OpenBLAS' or 'default BLAS'})
            elif cmd == 'infer':
                model, spec = state['model'].eval(), state['spec']
                s = spec['inputSize']
                x = torch.randn(req['batch'], 3, s, s)

                def once():
                    with torch.no_grad():
                        torch.softmax(model(x), dim=1)
                key = ('infer', req['batch'])
                if key not in state['warm']:
                    once()
                    once()
                    state['warm'].add(key)
                runs = [timed(once) for _ in range(req['runs'])]
                emit({'ok': True, 'times': [r[0] for r in runs], 'waits': [r[1] for r in runs]})
            elif cmd == 'train':
                model, spec = state['model'].train(), state['spec']
                s = spec['inputSize']
                b = req['batch']
                x = torch.randn(b, 3, s, s)
                y = torch.randint(0, spec['numClasses'], (b,))
                opt = state.get('opt') or torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
                state['opt'] = opt
                loss_fn = torch.nn.CrossEntropyLoss()

                def step():
                    opt.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    opt.step()
                key = ('train', b)
                if key not in state['warm']:
                    step()
                    state['warm'].add(key)
                runs = [timed(step) for _ in range(req['runs'])]
                emit({'ok': True, 'times': [r[0] for r in runs], 'waits': [r[1] for r in runs]})
            elif cmd == 'mem':
                emit({'ok': True, 'vmHwmMb': vm_hwm_mb()})
            elif cmd == 'exit':
                emit({'ok': True})
                return
            else:
                emit({'ok': False, 'error': f'unknown command {cmd}'})
        except Exception as e:  # report, keep serving
            emit({'ok': False, 'error': f'{type(e).__name__}: {e}'})


def export_onnx(spec_path, out):
    import torch
    spec = json.load(open(spec_path))
    model = build_model(spec).eval()
    full = torch.nn.Sequential(model, torch.nn.Softmax(dim=1))
    s = spec['inputSize']
    torch.onnx.export(full, torch.randn(1, 3, s, s), out, opset_version=13, input_names=['input'], output_names=['probabilities'],
                      dynamic_axes={'input': {0: 'batch'}, 'probabilities': {0: 'batch'}})


def save_pth(spec_path, out):
    import torch
    spec = json.load(open(spec_path))
    torch.save(build_model(spec).state_dict(), out)


def cold(spec_path, weights, image):
    # What a PyTorch user's first prediction costs: imports, model, torch.load, decode, preprocess, forward.
    t0 = time.perf_counter()
    import torch
    from PIL import Image
    import torchvision.transforms as T
    spec = json.load(open(spec_path))
    torch.set_num_threads(2)
    model = build_model(spec)
    model.load_state_dict(torch.load(weights))
    model.eval()
    s = spec['inputSize']
    tf = T.Compose([T.Resize(spec['resizeTo']), T.CenterCrop(s), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    x = tf(Image.open(image).convert('RGB')).unsqueeze(0)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)
    top = torch.topk(p, 5)
    print(json.dumps({'top5': top.indices[0].tolist(), 'inProcessMs': (time.perf_counter() - t0) * 1000}))


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'serve':
        serve()
    elif mode == 'export-onnx':
        export_onnx(sys.argv[2], sys.argv[3])
    elif mode == 'save-pth':
        save_pth(sys.argv[2], sys.argv[3])
    elif mode == 'cold':
        cold(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f'unknown mode {mode}')
