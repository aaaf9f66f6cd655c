// The High Contrast checks the scenarios share (issue 16): in a webview, every piece of text (HTML
// and SVG) reaches 4.5:1 against what is behind it; block outlines, arrows, the selected block,
// the selected tile's outline and a focused canvas's or cell's ring reach 3:1.

/** In the page: elements whose colour does not stand out from their background. */
export function contrastProblems() {
  const css = (el) => globalThis.getComputedStyle(el);
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => {
    const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  // The nearest background that is painted (a translucent one over the page counts as painted
  // when it covers at least a quarter: the text sits on the mix, so mix it with what is under it).
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(css(e).backgroundColor);
      if (c && c.a > 0) layers.push(c);
      if (c && c.a > 0.99) break;
    }
    let base = layers.length && layers[layers.length - 1].a > 0.99 ? layers.pop() : pageBackground();
    for (const c of layers.reverse()) base = { r: c.r * c.a + base.r * (1 - c.a), g: c.g * c.a + base.g * (1 - c.a), b: c.b * c.a + base.b * (1 - c.a), a: 1 };
    return base;
  };
  // A page that paints no background of its own shows the editor's, behind the webview's frame.
  const pageBackground = () => {
    const probe = document.createElement('div');
    probe.style.backgroundColor = 'var(--vscode-editor-background)';
    document.body.append(probe);
    const c = parse(css(probe).backgroundColor);
    probe.remove();
    return c && c.a > 0.99 ? c : { r: 0, g: 0, b: 0, a: 1 };
  };
  const out = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && css(el).visibility !== 'hidden' && !el.closest('[hidden]');
  };
  const textEls = [...document.querySelectorAll('body *')].filter((el) => !['SCRIPT', 'STYLE', 'TITLE'].includes(el.tagName) && !(el.closest('svg') && el.tagName.toLowerCase() === 'title') && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && visible(el));
  for (const el of textEls) {
    const svg = el instanceof globalThis.SVGElement;
    const colour = parse(svg ? css(el).fill : css(el).color);
    if (!colour) continue;
    const r = ratio(colour, background(svg ? el.closest('svg') : el));
    if (r < 4.5) out.push(`"${el.textContent.trim().slice(0, 30)}" ${r.toFixed(2)}:1`);
  }
  for (const el of document.querySelectorAll('svg .block path, svg .arrow')) {
    const stroke = parse(css(el).stroke);
    const r = stroke ? ratio(stroke, background(el.closest('svg'))) : 0;
    if (r < 3) out.push(`${el.closest('g')?.dataset.layer ?? 'arrow'} outline ${r.toFixed(2)}:1`);
  }
  for (const el of document.querySelectorAll('.tile-highlight:not([hidden]), #grid-highlight:not([hidden])')) {
    const c = parse(css(el).borderTopColor);
    const r = c && c.a > 0 ? ratio(c, background(el.parentElement)) : 0;
    if (r < 3) out.push(`the selected tile's outline ${r.toFixed(2)}:1`);
  }
  const focused = document.activeElement;
  if (focused && focused !== document.body && (focused.tagName === 'CANVAS' || focused.tagName === 'TD' || focused.tagName === 'TR')) {
    const c = parse(css(focused).outlineColor);
    const r = c && c.a > 0 && css(focused).outlineStyle !== 'none' ? ratio(c, background(focused.parentElement)) : 0;
    if (r < 3) out.push(`the focused ${focused.id || focused.tagName.toLowerCase()} has no visible focus ring (${r.toFixed(2)}:1)`);
  }
  return { theme: document.body.className, problems: out, checked: textEls.length };
}

/** Runs contrastProblems in `frame`; throws with the first problems; returns how many texts it checked. */
export async function checkContrast(frame, label) {
  const r = await frame.locator('body').evaluate(contrastProblems);
  if (!/high-contrast/.test(r.theme)) throw new Error(`${label}: the webview is not in a High Contrast theme (body class "${r.theme}")`);
  if (r.problems.length) throw new Error(`${label}: ${r.problems.slice(0, 8).join('; ')}`);
  return r.checked;
}

export const HIGH_CONTRAST_THEMES = ['Default High Contrast', 'Default High Contrast Light'];
export const slug = (theme) => theme.replace(/ /g, '-').toLowerCase();
