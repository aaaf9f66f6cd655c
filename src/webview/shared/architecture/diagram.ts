// The architecture diagram as SVG, drawn from layout.ts's geometry at the width of its container
// and drawn again when the container's width changes, so it never scrolls sideways. Used by the
// architecture view and the weights-file viewer. Blocks are buttons when the page can open a
// layer: Tab reaches the first, the arrow keys step between them, Enter or Space opens one.
import { describeBlock, FONT_PX, layoutDiagram, type ArchitectureModel, type Block, type LabelStyle, type Measure, type PlacedText } from './layout';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/** Text widths in the page's own font, so the layout's columns fit the labels as drawn. */
function canvasMeasure(): Measure {
  const g = document.createElement('canvas').getContext('2d');
  const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
  const cache = new Map<string, number>();
  return (text: string, style: LabelStyle) => {
    const key = `${style}\u0000${text}`;
    let w = cache.get(key);
    if (w === undefined) {
      if (!g) return text.length * FONT_PX[style] * 0.6;
      g.font = `${style === 'name' ? '600 ' : ''}${FONT_PX[style]}px ${family}`;
      w = Math.ceil(g.measureText(text).width) + 1;
      cache.set(key, w);
    }
    return w;
  };
}

export function kindClass(kind: string): string {
  if (kind === 'conv') return 'conv';
  if (kind === 'maxpool' || kind === 'adaptiveavgpool') return 'pool';
  if (kind === 'dense') return 'dense';
  return kind;
}

export interface DiagramOptions {
  /** opens a layer (the architecture view); without it the blocks only describe themselves */
  onOpen?: (block: Block) => void;
  /** what a block's tooltip says after its figures (e.g. "click: filters", or the file's key) */
  hint?: (block: Block) => string;
  /** id of the element that holds the same numbers as text (the layer table) */
  describedBy?: string;
  /** the layer the page shows the detail of: its block is outlined (kept across redraws) */
  selected?: () => string | undefined;
}

/** Outlines `layer`'s block (and no other) in the diagrams under `root`. */
export function markSelectedBlock(root: ParentNode, layer: string | undefined): void {
  for (const g of root.querySelectorAll<SVGGElement>('g.block')) {
    const on = g.dataset.layer === layer;
    g.classList.toggle('selected', on);
    if (g.getAttribute('role') === 'button') g.setAttribute('aria-pressed', String(on));
  }
}

function text(t: PlacedText): SVGTextElement {
  return svg('text', { x: t.x, y: t.y, 'text-anchor': t.anchor, class: t.style }, t.text);
}

function draw(model: ArchitectureModel, width: number, measure: Measure, opts: DiagramOptions): SVGSVGElement {
  const layout = layoutDiagram(model, width, measure);
  const root = svg('svg', {
    id: 'diagram', class: 'arch-svg', role: 'group', width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`,
    'data-rows': layout.rows,
    // the width it was laid out for: a test waits until it matches the container after a resize
    'data-drawn-width': width,
    'aria-label': `AlexNet ${model.variant} architecture, ${layout.blocks.length} blocks from input to softmax${layout.rows > 1 ? `, in ${layout.rows} rows` : ''}`,
    ...(opts.describedBy && { 'aria-describedby': opts.describedBy }),
  });
  root.append(svg('defs', {}, svg('marker', { id: 'head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
  for (const a of layout.arrows) {
    root.append(svg('polyline', { points: a.points.map((p) => p.join(',')).join(' '), class: a.head ? 'arrow' : 'arrow connector', ...(a.head && { 'marker-end': 'url(#head)' }) }));
    for (const t of a.labels) root.append(text(t));
  }
  const focusable: SVGGElement[] = [];
  for (const p of layout.blocks) {
    const b = p.block;
    const { x, y, w, h } = p.front;
    const d = p.d;
    const clickable = !!opts.onOpen && b.kind !== 'input';
    const description = describeBlock(b, model) + (opts.hint ? ` (${opts.hint(b)})` : '');
    const g = svg(
      'g',
      { class: `block ${kindClass(b.kind)}`, 'data-layer': b.name, 'data-kind': b.kind, ...(clickable ? { tabindex: -1, role: 'button', 'aria-label': description } : { role: 'img', 'aria-label': description }) },
      svg('title', {}, description),
      svg('path', { d: `M${x + w},${y} l${d},${-d} v${h} l${-d},${d} z`, class: 'side' }),
      svg('path', { d: `M${x},${y} l${d},${-d} h${w} l${-d},${d} z`, class: 'top' }),
      svg('path', { d: `M${x},${y} h${w} v${h} h${-w} z`, class: 'front' }),
    );
    for (const t of p.labels) g.append(text(t));
    if (p.share) g.append(svg('rect', { x: p.share.x, y: p.share.y, width: p.share.w, height: p.share.h, class: 'share' }));
    if (clickable) {
      const open = () => opts.onOpen!(b);
      g.addEventListener('click', open);
      focusable.push(g);
    }
    root.append(g);
  }
  rovingFocus(focusable, (g) => opts.onOpen && opts.onOpen(layout.blocks.find((p) => p.block.name === g.dataset.layer)!.block));
  if (opts.selected) markSelectedBlock(root, opts.selected());
  return root;
}

/**
 * One tab stop for all blocks (the first, or the last one focused); Left/Right/Up/Down step,
 * Home/End jump, Enter/Space open.
 */
function rovingFocus(items: SVGGElement[], open: (g: SVGGElement) => void): void {
  if (!items.length) return;
  items[0].setAttribute('tabindex', '0');
  items.forEach((g, i) => {
    g.addEventListener('focus', () => items.forEach((o) => o.setAttribute('tabindex', o === g ? '0' : '-1')));
    g.addEventListener('keydown', (e) => {
      const step: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -items.length, End: items.length };
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(g);
      } else if (e.key in step) {
        e.preventDefault();
        items[Math.max(0, Math.min(items.length - 1, i + step[e.key]))].focus();
      }
    });
  });
}

/**
 * The diagram in a container that follows its width: returns the container; the SVG inside is
 * drawn again (keeping the focused block) whenever the width changes.
 */
export function architectureDiagram(model: ArchitectureModel, opts: DiagramOptions = {}): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'arch-wrap';
  const measure = canvasMeasure();
  let drawnAt = -1;
  const redraw = () => {
    const width = Math.floor(wrap.clientWidth);
    if (width <= 0 || width === drawnAt) return;
    drawnAt = width;
    const focused = (document.activeElement as Element | null)?.closest?.('g.block')?.getAttribute('data-layer');
    wrap.replaceChildren(draw(model, width, measure, opts));
    if (focused) wrap.querySelector<SVGGElement>(`g.block[data-layer="${CSS.escape(focused)}"]`)?.focus();
  };
  new ResizeObserver(redraw).observe(wrap);
  // Before the first layout (not yet in the document) draw at the window's width.
  wrap.replaceChildren(draw(model, Math.max(280, window.innerWidth - 40), measure, opts));
  return wrap;
}
