// The training curves with Chart.js: loss per step (raw, faint, and smoothed), loss per epoch and
// accuracy per epoch in separate charts, the learning rate (only when it changes: main.ts), and a
// compared run's epoch curves dashed over this run's.
// Colours come from the theme's CSS variables, read at run time and again on a theme change.
import {
  Chart, Decimation, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset, type ChartOptions,
} from 'chart.js';
import { color } from 'chart.js/helpers';
import type { ComparisonRun, EpochView, StepPoint } from '../../protocol/webview/training';
import { Ema, epochSeries, smoothEma, type XY } from './curveModel';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

interface Palette {
  foreground: string;
  grid: string;
  blue: string;
  orange: string;
  green: string;
  red: string;
  purple: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette(): Palette {
  return {
    foreground: cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#888')),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.3)'),
    blue: cssVar('--vscode-charts-blue', '#3794ff'),
    orange: cssVar('--vscode-charts-orange', '#d18616'),
    green: cssVar('--vscode-charts-green', '#89d185'),
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    purple: cssVar('--vscode-charts-purple', '#b180d7'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

function baseOptions(p: Palette, xTitle: string): ChartOptions<'line'> {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    plugins: {
      legend: { labels: { color: p.foreground, font: { family: p.font }, boxWidth: 12 } },
      tooltip: { enabled: true },
      decimation: { enabled: true, algorithm: 'lttb', samples: 400, threshold: 800 },
    },
    scales: {
      x: { type: 'linear', title: { display: true, text: xTitle, color: p.foreground }, ticks: { color: p.foreground, precision: 0 }, grid: { color: p.grid } },
      y: { type: 'linear', ticks: { color: p.foreground }, grid: { color: p.grid } },
    },
  };
}

function line(label: string, color: string, data: XY[], extra: Partial<ChartDataset<'line', XY[]>> = {}): ChartDataset<'line', XY[]> {
  return { label, data, borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 6, tension: 0, ...extra };
}

/** Raw step losses are drawn thin and translucent under the smoothed line (colour + alpha). */
function faint(c: string): string {
  const parsed = color(c);
  return parsed.valid ? parsed.alpha(0.35).rgbString() : c;
}

export interface ChartCanvases {
  loss: HTMLCanvasElement;
  epochLoss: HTMLCanvasElement;
  accuracy: HTMLCanvasElement;
  /** absent while the learning rate has not changed */
  lr?: HTMLCanvasElement;
}

export class TrainingCharts {
  private readonly loss: Chart<'line', XY[]>;
  private readonly epochLoss: Chart<'line', XY[]>;
  private readonly accuracy: Chart<'line', XY[]>;
  private readonly lr?: Chart<'line', XY[]>;
  private pending = false;
  private ema: Ema;

  constructor(canvases: ChartCanvases, private smoothing: number) {
    const p = palette();
    this.ema = new Ema(smoothing);
    this.loss = new Chart(canvases.loss, {
      type: 'line',
      data: {
        datasets: [
          line('training loss (per step)', faint(p.blue), [], { borderWidth: 1 }),
          line(`smoothed (moving average, ${smoothing})`, p.blue, [], { borderWidth: 2 }),
        ],
      },
      options: baseOptions(p, 'step'),
    });
    const lossOpts = baseOptions(p, 'epoch');
    lossOpts.scales = { ...lossOpts.scales, y: { type: 'linear', title: { display: true, text: 'loss', color: p.foreground }, ticks: { color: p.foreground }, grid: { color: p.grid } } };
    this.epochLoss = new Chart(canvases.epochLoss, {
      type: 'line',
      data: { datasets: [line('training loss', p.blue, [], { pointRadius: 3 }), line('validation loss', p.orange, [], { pointRadius: 3 })] },
      options: lossOpts,
    });
    const accOpts = baseOptions(p, 'epoch');
    accOpts.scales = {
      ...accOpts.scales,
      y: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'accuracy', color: p.foreground }, ticks: { color: p.foreground, callback: (v) => `${Math.round(Number(v) * 100)}%` }, grid: { color: p.grid } },
    };
    this.accuracy = new Chart(canvases.accuracy, {
      type: 'line',
      data: { datasets: [line('training accuracy', p.blue, [], { pointRadius: 3 }), line('validation accuracy', p.orange, [], { pointRadius: 3 })] },
      options: accOpts,
    });
    if (canvases.lr) {
      const lrOpts = baseOptions(p, 'step');
      lrOpts.scales = { ...lrOpts.scales, y: { type: 'logarithmic', ticks: { color: p.foreground }, grid: { color: p.grid } } };
      this.lr = new Chart(canvases.lr, { type: 'line', data: { datasets: [line('learning rate', p.purple, [], { stepped: true })] }, options: lrOpts });
    }
  }

  private get charts(): Chart<'line', XY[]>[] {
    return [this.loss, this.epochLoss, this.accuracy, ...(this.lr ? [this.lr] : [])];
  }

  /** Replaces every curve (a snapshot). */
  setAll(steps: StepPoint[], epochs: EpochView[]): void {
    const raw = steps.filter((s) => Number.isFinite(s.loss)).map((s) => ({ x: s.globalStep, y: s.loss }));
    this.loss.data.datasets[0].data = raw;
    this.loss.data.datasets[1].data = smoothEma(raw, this.smoothing);
    this.ema = new Ema(this.smoothing);
    for (const r of raw) this.ema.push(r.y);
    if (this.lr) this.lr.data.datasets[0].data = steps.map((s) => ({ x: s.globalStep, y: s.lr }));
    const [trainLoss, valLoss] = this.epochLoss.data.datasets;
    const [trainAcc, valAcc] = this.accuracy.data.datasets;
    trainLoss.data = epochSeries(epochs, 'trainLoss');
    valLoss.data = epochSeries(epochs, 'valLoss');
    trainAcc.data = epochSeries(epochs, 'trainAcc');
    valAcc.data = epochSeries(epochs, 'valAcc');
    this.redraw(true);
  }

  addStep(s: StepPoint): void {
    if (Number.isFinite(s.loss)) {
      this.loss.data.datasets[0].data.push({ x: s.globalStep, y: s.loss });
      const y = this.ema.push(s.loss);
      if (y !== undefined) this.loss.data.datasets[1].data.push({ x: s.globalStep, y });
    }
    this.lr?.data.datasets[0].data.push({ x: s.globalStep, y: s.lr });
    this.redraw(false);
  }

  addEpoch(e: EpochView): void {
    const [trainLoss, valLoss] = this.epochLoss.data.datasets;
    const [trainAcc, valAcc] = this.accuracy.data.datasets;
    trainLoss.data.push(...epochSeries([e], 'trainLoss'));
    valLoss.data.push(...epochSeries([e], 'valLoss'));
    trainAcc.data.push(...epochSeries([e], 'trainAcc'));
    valAcc.data.push(...epochSeries([e], 'valAcc'));
    this.redraw(false);
  }

  /** A new smoothing weight: the smoothed line is computed again from the raw points. */
  setSmoothing(weight: number): void {
    this.smoothing = weight;
    const raw = this.loss.data.datasets[0].data;
    this.loss.data.datasets[1].data = smoothEma(raw, weight);
    this.loss.data.datasets[1].label = `smoothed (moving average, ${weight})`;
    this.ema = new Ema(weight);
    for (const r of raw) this.ema.push(r.y);
    this.redraw(true);
  }

  /** Draws another run's epoch curves dashed (same colours, its name in the legend); undefined clears them. */
  setComparison(run: ComparisonRun | undefined): void {
    const p = palette();
    for (const [chart, keys] of [[this.epochLoss, ['trainLoss', 'valLoss']], [this.accuracy, ['trainAcc', 'valAcc']]] as const) {
      chart.data.datasets.splice(2);
      if (!run) continue;
      keys.forEach((key, i) => {
        const what = `${i === 0 ? 'training' : 'validation'} ${key.endsWith('Loss') ? 'loss' : 'accuracy'}`;
        chart.data.datasets.push(line(`${run.name}: ${what}`, i === 0 ? p.blue : p.orange, epochSeries(run.epochs, key), { pointRadius: 2, pointStyle: 'rectRot', borderDash: [6, 4] }));
      });
    }
    this.redraw(true);
  }

  /** Number of step points plotted (the e2e tests read it through #step-count). */
  get stepPoints(): number {
    return this.loss.data.datasets[0].data.length;
  }

  /** Theme changed: read the colours again. */
  recolour(): void {
    const p = palette();
    for (const chart of this.charts) {
      const o = chart.options;
      if (o.plugins?.legend?.labels) o.plugins.legend.labels.color = p.foreground;
      for (const scale of Object.values(o.scales ?? {})) {
        if (!scale) continue;
        if (scale.ticks) scale.ticks.color = p.foreground;
        if (scale.grid && (scale.grid as { drawOnChartArea?: boolean }).drawOnChartArea !== false) scale.grid.color = p.grid;
        const title = (scale as { title?: { color?: string } }).title;
        if (title) title.color = p.foreground;
      }
    }
    const [raw, smooth] = this.loss.data.datasets;
    raw.borderColor = raw.backgroundColor = faint(p.blue);
    smooth.borderColor = smooth.backgroundColor = p.blue;
    if (this.lr) this.lr.data.datasets[0].borderColor = this.lr.data.datasets[0].backgroundColor = p.purple;
    for (const chart of [this.epochLoss, this.accuracy]) chart.data.datasets.forEach((d, i) => (d.borderColor = d.backgroundColor = i % 2 === 0 ? p.blue : p.orange));
    this.redraw(true);
  }

  /** Coalesces the redraws of a burst of steps into one per frame. */
  private redraw(now: boolean): void {
    if (now) {
      for (const c of this.charts) c.update('none');
      return;
    }
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      for (const c of this.charts) c.update('none');
    });
  }
}
