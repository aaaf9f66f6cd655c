// The training curves with Chart.js: loss per step, loss and accuracy per epoch, learning rate.
// Colours come from the theme's CSS variables, read at run time and again on a theme change.
import {
  Chart, Decimation, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset, type ChartOptions,
} from 'chart.js';
import type { EpochView, StepPoint } from '../../protocol/webview/training';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation);

type XY = { x: number; y: number };

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

const finite = (y: number | null): y is number => y !== null && Number.isFinite(y);

export class TrainingCharts {
  private readonly loss: Chart<'line', XY[]>;
  private readonly epoch: Chart<'line', XY[]>;
  private readonly lr: Chart<'line', XY[]>;
  private pending = false;

  constructor(lossCanvas: HTMLCanvasElement, epochCanvas: HTMLCanvasElement, lrCanvas: HTMLCanvasElement) {
    const p = palette();
    this.loss = new Chart(lossCanvas, {
      type: 'line',
      data: { datasets: [line('training loss (per step)', p.blue, [])] },
      options: { ...baseOptions(p, 'step'), plugins: { ...baseOptions(p, 'step').plugins, title: { display: false } } },
    });
    const epochOpts = baseOptions(p, 'epoch');
    epochOpts.scales = {
      ...epochOpts.scales,
      y: { type: 'linear', position: 'left', title: { display: true, text: 'loss', color: p.foreground }, ticks: { color: p.foreground }, grid: { color: p.grid } },
      acc: { type: 'linear', position: 'right', min: 0, max: 1, title: { display: true, text: 'accuracy', color: p.foreground }, ticks: { color: p.foreground, callback: (v) => `${Math.round(Number(v) * 100)}%` }, grid: { drawOnChartArea: false } },
    };
    this.epoch = new Chart(epochCanvas, {
      type: 'line',
      data: {
        datasets: [
          line('training loss', p.blue, [], { pointRadius: 3 }),
          line('validation loss', p.orange, [], { pointRadius: 3 }),
          line('training accuracy', p.blue, [], { pointRadius: 3, borderDash: [5, 4], yAxisID: 'acc' }),
          line('validation accuracy', p.orange, [], { pointRadius: 3, borderDash: [5, 4], yAxisID: 'acc' }),
        ],
      },
      options: epochOpts,
    });
    const lrOpts = baseOptions(p, 'step');
    lrOpts.scales = { ...lrOpts.scales, y: { type: 'logarithmic', ticks: { color: p.foreground }, grid: { color: p.grid } } };
    this.lr = new Chart(lrCanvas, { type: 'line', data: { datasets: [line('learning rate', p.purple, [], { stepped: true })] }, options: lrOpts });
  }

  /** Replaces every curve (a snapshot). */
  setAll(steps: StepPoint[], epochs: EpochView[]): void {
    this.loss.data.datasets[0].data = steps.filter((s) => Number.isFinite(s.loss)).map((s) => ({ x: s.globalStep, y: s.loss }));
    this.lr.data.datasets[0].data = steps.map((s) => ({ x: s.globalStep, y: s.lr }));
    const [trainLoss, valLoss, trainAcc, valAcc] = this.epoch.data.datasets;
    trainLoss.data = epochs.filter((e) => finite(e.trainLoss)).map((e) => ({ x: e.epoch, y: e.trainLoss }));
    valLoss.data = epochs.filter((e) => finite(e.valLoss)).map((e) => ({ x: e.epoch, y: e.valLoss! }));
    trainAcc.data = epochs.filter((e) => finite(e.trainAcc)).map((e) => ({ x: e.epoch, y: e.trainAcc }));
    valAcc.data = epochs.filter((e) => finite(e.valAcc)).map((e) => ({ x: e.epoch, y: e.valAcc! }));
    this.redraw(true);
  }

  addStep(s: StepPoint): void {
    if (Number.isFinite(s.loss)) this.loss.data.datasets[0].data.push({ x: s.globalStep, y: s.loss });
    this.lr.data.datasets[0].data.push({ x: s.globalStep, y: s.lr });
    this.redraw(false);
  }

  addEpoch(e: EpochView): void {
    const [trainLoss, valLoss, trainAcc, valAcc] = this.epoch.data.datasets;
    if (finite(e.trainLoss)) trainLoss.data.push({ x: e.epoch, y: e.trainLoss });
    if (finite(e.valLoss)) valLoss.data.push({ x: e.epoch, y: e.valLoss });
    if (finite(e.trainAcc)) trainAcc.data.push({ x: e.epoch, y: e.trainAcc });
    if (finite(e.valAcc)) valAcc.data.push({ x: e.epoch, y: e.valAcc });
    this.redraw(false);
  }

  /** Number of step points plotted (the e2e tests read it through #step-count). */
  get stepPoints(): number {
    return this.loss.data.datasets[0].data.length;
  }

  /** Theme changed: read the colours again. */
  recolour(): void {
    const p = palette();
    for (const chart of [this.loss, this.epoch, this.lr]) {
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
    this.loss.data.datasets[0].borderColor = this.loss.data.datasets[0].backgroundColor = p.blue;
    this.lr.data.datasets[0].borderColor = this.lr.data.datasets[0].backgroundColor = p.purple;
    this.epoch.data.datasets.forEach((d, i) => (d.borderColor = d.backgroundColor = i % 2 === 0 ? p.blue : p.orange));
    this.redraw(true);
  }

  /** Coalesces the redraws of a burst of steps into one per frame. */
  private redraw(now: boolean): void {
    if (now) {
      for (const c of [this.loss, this.epoch, this.lr]) c.update('none');
      return;
    }
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      for (const c of [this.loss, this.epoch, this.lr]) c.update('none');
    });
  }
}
