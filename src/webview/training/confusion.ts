// The validation confusion matrix (rows: actual class, columns: predicted class) and the
// per-class precision/recall table. Hovering or focusing a cell shows its count and a few of
// its images. The cells are one tab stop: the arrow keys (Home/End: the row's ends) move between
// them; a click or Enter/Space opens the cell's gallery (gallery.ts), Escape hides the box.
// Contract for tests: table#confusion, td.cm-cell[data-count][data-actual][data-predicted], td.cm-selected.
import { h, replaceChildren } from '../shared/dom';
import type { EpochView, ExampleImage, GalleryCell } from '../../protocol/webview/training';

export function percent(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

export interface ConfusionOptions {
  classNames: string[];
  normalised: boolean;
  /** the cell whose gallery is open */
  selected?: GalleryCell;
  onSelectCell(cell: GalleryCell): void;
}

/** The cell that holds the tab stop, kept when the table is drawn again (toggle, another epoch). */
let current = { actual: 0, predicted: 0 };

export function confusionTable(epoch: EpochView, opts: ConfusionOptions, tooltip: CellTooltip): HTMLTableElement {
  const { classNames } = opts;
  const n = epoch.confusion.length;
  if (current.actual >= n || current.predicted >= n) current = { actual: 0, predicted: 0 };
  const cells: HTMLElement[][] = [];
  const rowTotals = epoch.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const examples = new Map(epoch.examples.map((x) => [`${x.actual},${x.predicted}`, x.images]));
  const head = h(
    'tr',
    null,
    h('th', { class: 'cm-corner', scope: 'col' }, h('span', { class: 'cm-axis' }, 'actual ↓ / predicted →')),
    ...classNames.map((name) => h('th', { class: 'cm-col', scope: 'col', title: name }, h('span', null, name))),
    h('th', { class: 'cm-total', scope: 'col' }, 'total'),
  );
  const body = epoch.confusion.map((row, actual) =>
    h(
      'tr',
      null,
      h('th', { class: 'cm-row', scope: 'row', title: classNames[actual] }, classNames[actual] ?? `class ${actual}`),
      ...row.map((count, predicted) => {
        const fraction = rowTotals[actual] ? count / rowTotals[actual] : 0;
        const selected = opts.selected?.actual === actual && opts.selected.predicted === predicted;
        const cell = h(
          'td',
          {
            class: `cm-cell${actual === predicted ? ' cm-diagonal' : ''}${count ? '' : ' cm-zero'}${selected ? ' cm-selected' : ''}`,
            tabindex: actual === current.actual && predicted === current.predicted ? '0' : '-1',
            'aria-current': selected ? 'true' : undefined,
            dataset: { count: String(count), actual: String(actual), predicted: String(predicted), fraction: fraction.toFixed(4) },
            'aria-label': `actual ${classNames[actual]}, predicted ${classNames[predicted]}: ${count} (${percent(fraction)} of the row); Enter shows its images`,
          },
          opts.normalised ? percent(fraction) : String(count),
        );
        // Strength of the cell as a mix of the theme's chart colour (CSSOM: inline style attributes are blocked).
        const strength = Math.round(fraction * 70);
        cell.style.background = count
          ? `color-mix(in srgb, var(--vscode-charts-${actual === predicted ? 'blue' : 'red'}) ${strength}%, transparent)`
          : '';
        const images = examples.get(`${actual},${predicted}`) ?? [];
        const show = () => tooltip.show(cell, { actual: classNames[actual], predicted: classNames[predicted], count, fraction, images });
        cell.addEventListener('mouseenter', show);
        cell.addEventListener('focus', () => {
          current = { actual, predicted };
          for (const c of cells.flat()) c.setAttribute('tabindex', c === cell ? '0' : '-1');
          show();
        });
        cell.addEventListener('mouseleave', () => tooltip.hideSoon());
        cell.addEventListener('blur', () => tooltip.hideSoon());
        cell.addEventListener('click', () => opts.onSelectCell({ actual, predicted }));
        cell.addEventListener('keydown', (e) => {
          const move: Record<string, [number, number]> = {
            ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0], Home: [0, -n], End: [0, n],
          };
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault(); // Space would scroll the page
            tooltip.hide();
            opts.onSelectCell({ actual, predicted });
          } else if (e.key === 'Escape') tooltip.hide();
          else if (e.key in move) {
            e.preventDefault();
            const [da, dp] = move[e.key];
            const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
            cells[clamp(actual + da)]?.[clamp(predicted + dp)]?.focus();
          }
        });
        (cells[actual] ??= []).push(cell);
        return cell;
      }),
      h('td', { class: 'cm-total' }, String(rowTotals[actual])),
    ),
  );
  return h('table', { id: 'confusion', class: 'confusion', 'aria-label': `Validation confusion matrix after epoch ${epoch.epoch}` }, h('thead', null, head), h('tbody', null, ...body));
}

export function perClassTable(epoch: EpochView, classNames: string[]): HTMLTableElement {
  const support = epoch.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  return h(
    'table',
    { id: 'per-class', class: 'per-class' },
    h('thead', null, h('tr', null, h('th', null, 'class'), h('th', null, 'precision'), h('th', null, 'recall'), h('th', null, 'validation images'))),
    h(
      'tbody',
      null,
      ...classNames.map((name, c) =>
        h(
          'tr',
          { dataset: { class: name } },
          h('th', { scope: 'row' }, name),
          h('td', { class: 'num precision' }, percent(epoch.precision[c], 1)),
          h('td', { class: 'num recall' }, percent(epoch.recall[c], 1)),
          h('td', { class: 'num' }, String(support[c] ?? 0)),
        ),
      ),
    ),
  );
}

interface CellInfo {
  actual: string;
  predicted: string;
  count: number;
  fraction: number;
  images: ExampleImage[];
}

/** One floating box for every cell; it stays while the pointer moves onto it (to click an image). */
export class CellTooltip {
  readonly element: HTMLElement;
  private hideTimer?: number;

  constructor(private readonly onOpenImage: (path: string) => void) {
    this.element = h('div', { id: 'cm-tooltip', class: 'cm-tooltip', role: 'tooltip', hidden: true });
    this.element.addEventListener('mouseenter', () => window.clearTimeout(this.hideTimer));
    this.element.addEventListener('mouseleave', () => this.hideSoon());
  }

  show(anchor: HTMLElement, info: CellInfo): void {
    window.clearTimeout(this.hideTimer);
    const same = info.actual === info.predicted;
    replaceChildren(
      this.element,
      h('div', { class: 'cm-tooltip-title' }, same ? `${info.actual}: correct` : `${info.actual} taken for ${info.predicted}`),
      h('div', { class: 'cm-tooltip-count' }, `${info.count} image${info.count === 1 ? '' : 's'} · ${percent(info.fraction)} of ${info.actual}`),
      info.images.length
        ? h(
            'div',
            { class: 'cm-thumbs' },
            ...info.images.map((img) =>
              h('img', {
                class: 'cm-thumb', src: img.src, alt: img.path.split(/[\\/]/).pop() ?? '', title: `${img.path} (click to open)`,
                on: { click: () => this.onOpenImage(img.path) },
              }),
            ),
          )
        : null,
    );
    this.element.hidden = false;
    const r = anchor.getBoundingClientRect();
    const box = this.element.getBoundingClientRect();
    const left = Math.min(window.innerWidth - box.width - 8, Math.max(8, r.left + r.width / 2 - box.width / 2));
    const below = r.bottom + 6 + box.height < window.innerHeight;
    this.element.style.left = `${left + window.scrollX}px`;
    this.element.style.top = `${(below ? r.bottom + 6 : r.top - box.height - 6) + window.scrollY}px`;
  }

  hideSoon(): void {
    window.clearTimeout(this.hideTimer);
    this.hideTimer = window.setTimeout(() => this.hide(), 250);
  }

  hide(): void {
    this.element.hidden = true;
  }
}
