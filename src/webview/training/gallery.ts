// "See what the model gets wrong": the gallery of one confusion cell's validation images (a click,
// or Enter/Space, on the cell) and the Top losses list, both from the epoch's per-image results,
// which the host reads from val-<epoch>.json on the first request. Each image: thumbnail (click to
// open), true and predicted class with probabilities, Move to Class…, Exclude, and Undo once done.
// Contract for tests: section#gallery / section#top-losses > figure.gallery-item[data-path],
// .gallery-open, .gallery-move, .gallery-exclude, .gallery-undo, .gallery-edit.
import { h } from '../shared/dom';
import type { GalleryCell, GalleryImage, ImageEdit, ValidationAnswer, WebviewToHost } from '../../protocol/webview/training';
import { cellImages, editLine, fileName, topLine, topLosses, verdict } from './galleryModel';

export interface GalleryContext {
  classNames: string[];
  /** false while the run trains here: it reads these files */
  editable: boolean;
  send(m: WebviewToHost): void;
  onClose(): void;
}

/** The per-image answers by epoch, asked for once each. */
export class ValidationImages {
  private readonly answers = new Map<number, ValidationAnswer>();
  private readonly asked = new Set<number>();

  constructor(private readonly send: (m: WebviewToHost) => void) {}

  /** The epoch's answer; undefined while the host is asked (the first time). */
  get(epoch: number): ValidationAnswer | undefined {
    const a = this.answers.get(epoch);
    if (!a && !this.asked.has(epoch)) {
      this.asked.add(epoch);
      this.send({ type: 'getValidation', epoch });
    }
    return a;
  }

  receive(answer: ValidationAnswer): void {
    this.answers.set(answer.epoch, answer);
  }

  /** An image moved, excluded or put back: every epoch's copy of it shows it. */
  applyEdit(path: string, edit: ImageEdit | null): void {
    for (const a of this.answers.values()) {
      if (!('images' in a)) continue;
      for (const img of a.images) {
        if (img.path !== path) continue;
        if (edit) img.edit = edit;
        else delete img.edit;
      }
    }
  }

  editedCount(): number {
    const paths = new Set<string>();
    for (const a of this.answers.values()) if ('images' in a) for (const img of a.images) if (img.edit) paths.add(img.path);
    return paths.size;
  }

  /** Forget everything (a resumed run rewrites the records). */
  clear(): void {
    this.answers.clear();
    this.asked.clear();
  }
}

function button(label: string, cls: string, onClick: () => void, opts: { icon?: string; secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const b = h('vscode-button', { class: cls, icon: opts.icon, secondary: opts.secondary ?? true, disabled: opts.disabled, title: opts.title }, label);
  if (!opts.disabled) {
    b.addEventListener('click', onClick);
    return b;
  }
  // A disabled vscode-button ignores the pointer, so its tooltip lives on a focusable wrapper.
  return h('span', { class: 'disabled-action', title: opts.title, tabindex: '0', 'aria-label': `${label}: ${opts.title ?? 'unavailable'}` }, b);
}

function item(img: GalleryImage, ctx: GalleryContext): HTMLElement {
  const names = ctx.classNames;
  const current = img.edit?.to ?? img.path;
  const open = () => ctx.send({ type: 'openImage', path: current });
  const edited = editLine(img, names);
  const busy = ctx.editable ? undefined : 'the run is training and reads these files: wait until it stops';
  const actions = edited
    ? [h('span', { class: 'gallery-edit' }, edited), button('Undo', 'gallery-undo', () => ctx.send({ type: 'undoEdit', path: img.path }), { icon: 'discard' })]
    : [
        button('Move to Class…', 'gallery-move', () => ctx.send({ type: 'moveImage', path: img.path }), { disabled: !ctx.editable, title: busy ?? 'move the file into another class folder (with Undo)' }),
        button('Exclude', 'gallery-exclude', () => ctx.send({ type: 'excludeImage', path: img.path }), {
          disabled: !ctx.editable, title: busy ?? 'move the file out of the class folders, into .alexnet/excluded/ (with Undo)',
        }),
      ];
  const thumb = h(
    'button',
    { class: 'gallery-thumb', type: 'button', title: `${current} (open)`, 'aria-label': `open ${fileName(current)}` },
    h('img', { src: img.edit?.src ?? img.src, alt: '' }),
  );
  thumb.addEventListener('click', open);
  return h(
    'figure',
    { class: `gallery-item${img.actual === img.predicted ? ' correct' : ' wrong'}${img.edit ? ' edited' : ''}`, dataset: { path: img.path, loss: String(img.loss) } },
    thumb,
    h(
      'figcaption',
      null,
      h('div', { class: 'gallery-name', title: current }, fileName(current)),
      h('div', { class: 'gallery-verdict' }, verdict(img, names)),
      h('div', { class: 'gallery-top muted' }, `top: ${topLine(img, names)} · loss ${img.loss.toFixed(2)}`),
      h('div', { class: 'gallery-actions' }, button('Open', 'gallery-open', open, { icon: 'go-to-file' }), ...actions),
    ),
  );
}

function editsBar(images: ValidationImages, ctx: GalleryContext): HTMLElement | null {
  const n = images.editedCount();
  if (!n) return null;
  return h(
    'div',
    { class: 'gallery-retrain' },
    h('span', null, `${n} image${n === 1 ? '' : 's'} moved or excluded: train again to learn from the change. `),
    button('Train Again…', 'gallery-retrain-button', () => ctx.send({ type: 'retrain' }), { icon: 'debug-restart', secondary: false }),
  );
}

function grid(list: GalleryImage[], ctx: GalleryContext): HTMLElement {
  return h('div', { class: 'gallery-grid' }, ...list.map((img) => item(img, ctx)));
}

function unavailable(answer: ValidationAnswer | undefined): HTMLElement | null {
  if (!answer) return h('p', { class: 'muted' }, 'Loading the validation images…');
  if ('unavailable' in answer) return h('p', { class: 'muted gallery-unavailable' }, answer.unavailable);
  return null;
}

/** The gallery of one confusion cell (section#gallery). */
export function cellGallery(epoch: number, cell: GalleryCell, count: number, images: ValidationImages, ctx: GalleryContext): HTMLElement {
  const names = ctx.classNames;
  const actual = names[cell.actual] ?? `class ${cell.actual}`;
  const predicted = names[cell.predicted] ?? `class ${cell.predicted}`;
  const title = cell.actual === cell.predicted ? `${actual}, predicted correctly` : `${actual} taken for ${predicted}`;
  const close = button('Close', 'gallery-close', ctx.onClose, { icon: 'close' });
  const section = h(
    'section',
    { id: 'gallery', class: 'gallery', 'aria-live': 'polite', dataset: { actual: String(cell.actual), predicted: String(cell.predicted) } },
    h('div', { class: 'gallery-head' }, h('h3', null, `${title}: ${count} image${count === 1 ? '' : 's'} after epoch ${epoch}`), close),
  );
  const answer = images.get(epoch);
  const missing = unavailable(answer);
  if (missing) {
    section.append(missing);
    return section;
  }
  const list = cellImages((answer as { images: GalleryImage[] }).images, cell.actual, cell.predicted);
  section.append(
    ...[editsBar(images, ctx)].filter((x): x is HTMLElement => !!x),
    list.length ? h('p', { class: 'muted' }, 'Highest loss (most confidently wrong) first.') : h('p', { class: 'muted' }, 'No image in this cell.'),
    grid(list, ctx),
  );
  return section;
}

/** The images the model is most confidently wrong about (section#top-losses). */
export function topLossesSection(epoch: number, images: ValidationImages, ctx: GalleryContext): HTMLElement {
  const section = h(
    'section',
    { id: 'top-losses', class: 'gallery' },
    h('h3', null, 'Top losses'),
    h('p', { class: 'muted' }, `The misclassified validation images with the highest loss after epoch ${epoch}: the ones the model is most confidently wrong about. Look for wrong labels and images that do not belong.`),
  );
  const answer = images.get(epoch);
  const missing = unavailable(answer);
  if (missing) {
    section.append(missing);
    return section;
  }
  const all = (answer as { images: GalleryImage[] }).images;
  const list = topLosses(all);
  const wrong = all.filter((i) => i.actual !== i.predicted).length;
  section.append(
    ...[editsBar(images, ctx)].filter((x): x is HTMLElement => !!x),
    list.length ? h('p', { class: 'muted' }, `${list.length} of ${wrong} misclassified images.`) : h('p', { class: 'muted' }, 'No validation image is misclassified.'),
    grid(list, ctx),
  );
  return section;
}
