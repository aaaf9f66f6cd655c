// High Contrast, dark and light: the architecture view, conv1's filters and the activation
// explorer side panel (Grad-CAM, legends, the channel grid) keep every element visible. Every piece of text (HTML and SVG) must reach a 4.5:1 contrast with what is behind it,
// block outlines and arrows 3:1, and the selected filter's outline and the focused grid's ring
// must be drawn in a colour that stands out (not transparent).
import { answerFileDialog, explorerRow, runFromPalette } from '../workbench.mjs';
import { openActivity, waitDone, webviewWith } from '../inspectViews.mjs';
import { placePhoto } from '../fixtures.mjs';

export const title = 'High Contrast themes: architecture, filters and the side panel stay visible';

/** In the page: elements whose colour does not stand out from their background. */
function contrastProblems() {
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
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(css(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return parse(css(document.body).backgroundColor) ?? { r: 0, g: 0, b: 0, a: 1 };
  };
  const out = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && css(el).visibility !== 'hidden';
  };
  const textEls = [...document.querySelectorAll('body *')].filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && visible(el));
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
  for (const el of document.querySelectorAll('.tile-highlight:not([hidden])')) {
    const c = parse(css(el).borderTopColor);
    const r = c && c.a > 0 ? ratio(c, background(el.parentElement)) : 0;
    if (r < 3) out.push(`the selected tile's outline ${r.toFixed(2)}:1`);
  }
  const focused = document.activeElement;
  if (focused && focused !== document.body && focused.tagName === 'CANVAS') {
    const c = parse(css(focused).outlineColor);
    const r = c && c.a > 0 && css(focused).outlineStyle !== 'none' ? ratio(c, background(focused.parentElement)) : 0;
    if (r < 3) out.push(`the focused ${focused.id} has no visible focus ring (${r.toFixed(2)}:1)`);
  }
  return { theme: document.body.className, problems: out, checked: textEls.length };
}

async function check(frame, label) {
  const r = await frame.locator('body').evaluate(contrastProblems);
  if (!/high-contrast/.test(r.theme)) throw new Error(`${label}: the webview is not in a High Contrast theme (body class "${r.theme}")`);
  if (r.problems.length) throw new Error(`${label}: ${r.problems.slice(0, 8).join('; ')}`);
  return r.checked;
}

export async function run(ctx) {
  const notes = [];
  for (const theme of ['Default High Contrast', 'Default High Contrast Light']) {
    const workspace = ctx.workspaceDir(theme.replace(/ /g, '-'));
    const photo = await placePhoto(workspace, 'photo.jpg');
    const { page } = await ctx.openVSCode({ workspace, settings: { 'workbench.colorTheme': theme }, env: { ALEXNET_EXPLORER_WEIGHTS: 'random' } });
    await runFromPalette(page, 'AlexNet: Show Architecture');
    const arch = await webviewWith(page, 'svg#diagram', { timeoutMs: 120_000 });
    await waitDone(arch);
    const archChecked = await check(arch, `${theme}, architecture`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-architecture`);
    await arch.locator('g.block[data-layer="conv1"]').focus();
    await page.keyboard.press('Enter');
    const filters = await webviewWith(page, 'canvas#filters', { timeoutMs: 120_000 });
    await waitDone(filters, { until: async () => (await filters.locator('#filters').getAttribute('data-count')) === '64' });
    await filters.locator('#filters').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const filtersChecked = await check(filters, `${theme}, filters`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-filters`);
    // The side panel on a photo: Grad-CAM and its legend, a channel selected in the grid by keyboard.
    await explorerRow(page, 'photo.jpg');
    await openActivity(page, 'AlexNet');
    const empty = await webviewWith(page, '#pick-image');
    await empty.locator('#pick-image').click();
    await answerFileDialog(page, photo.path);
    const side = await webviewWith(page, '#cam-view', { timeoutMs: 180_000 });
    await waitDone(side, { until: async () => !!(await side.locator('#cam-legend-scale').count()) && !!(await side.locator('#app').getAttribute('data-channels')) });
    await side.locator('#grid').focus();
    await page.keyboard.press('ArrowRight');
    const sideChecked = await check(side, `${theme}, side panel`);
    await ctx.shot(`${theme.replace(/ /g, '-').toLowerCase()}-side-panel`);
    notes.push(`${theme}: ${archChecked} text elements in the architecture view, ${filtersChecked} in the filters view and ${sideChecked} in the side panel at >= 4.5:1; outlines, selection and focus ring >= 3:1`);
    await ctx.server.stop();
  }
  return notes;
}
