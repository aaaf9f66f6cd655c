// Page-level helpers for driving the VS Code workbench that code-server serves.
// Every wait is bounded; failures say what was being waited for.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens the workbench and waits until the explorer shows the workspace's files. */
export async function openWorkbench(page, url, { timeoutMs = 120_000 } = {}) {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The explorer row of a file (the Explorer view is opened if needed). */
export async function explorerRow(page, fileName, { timeoutMs = 60_000 } = {}) {
  const rows = page.locator('.explorer-folders-view .monaco-list-row');
  const row = rows.filter({ has: page.locator('.label-name', { hasText: exact(fileName) }) }).first();
  const deadline = Date.now() + timeoutMs;
  while (!(await row.isVisible().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`explorer row "${fileName}" did not appear in ${timeoutMs / 1000} s`);
    if (!(await page.locator('.explorer-folders-view').isVisible().catch(() => false))) {
      await page.keyboard.press('Control+Shift+E').catch(() => {});
    }
    await sleep(300);
  }
  return row;
}

function exact(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

const contextMenu = (page) => page.locator('.context-view .monaco-menu');

/**
 * Right-clicks `row` and picks the menu item whose label matches `itemLabel`.
 * The item only exists once the extension host has registered our extension (~2-3 s after the
 * workbench), so the menu is re-opened until it shows up. A click on the item is sometimes
 * swallowed (menu stays open, item highlighted): then Enter on the focused item.
 */
export async function pickContextMenuItem(page, row, itemLabel, { timeoutMs = 90_000, onAttempt } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    const menu = contextMenu(page);
    await menu.first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
    const item = menu.locator('.action-item:not(.disabled) .action-label', { hasText: itemLabel }).first();
    if (await item.isVisible().catch(() => false)) {
      await onAttempt?.(attempt, true);
      await item.hover();
      await item.click();
      const closeBy = Date.now() + 2000;
      while ((await menu.first().isVisible().catch(() => false)) && Date.now() < closeBy) await sleep(100);
      if (await menu.first().isVisible().catch(() => false)) await page.keyboard.press('Enter');
      return attempt;
    }
    await onAttempt?.(attempt, false);
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) {
      const labels = await menu.locator('.action-label').allInnerTexts().catch(() => []);
      throw new Error(`context menu item ${itemLabel} not found after ${attempt} tries; menu had: ${labels.filter(Boolean).join(' | ')}`);
    }
    await sleep(1000);
  }
}

/** Focuses the workbench (not a webview, which would eat key presses). */
export async function focusWorkbench(page) {
  const header = page.locator('.explorer-folders-view, .sidebar .composite.title').first();
  if (await header.isVisible().catch(() => false)) await header.click({ position: { x: 5, y: 5 } }).catch(() => {});
}

/**
 * Runs a command by its palette title (F1). Re-tries while the command is not listed yet
 * (the extension registers a little after the workbench appears).
 */
export async function runFromPalette(page, title, { timeoutMs = 90_000, onListed } = {}) {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (;;) {
    await focusWorkbench(page);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${title}`);
    const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const shown = await entry.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
    if (shown) {
      await onListed?.();
      await entry.click();
      return;
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`command "${title}" not in the palette after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/**
 * Types `text` into VS Code's simple (quick-input) file dialog once it has settled, and returns
 * when the dialog is idle with exactly that text in its box. The dialog opens with a folder (or a
 * default file path) typed in and rewrites the box when a folder listing lands, so it waits on that
 * state, never on a fixed time.
 */
export async function typeIntoFileDialog(page, text, { timeoutMs = 20_000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  const value = () => input.inputValue().catch(() => '');
  // The simple dialog is busy (progress bar active) while it lists a folder, and writes the folder's
  // path into the box when the listing lands: typing before that gets overwritten. Wait until it is
  // idle with a path shown, unchanged across two looks.
  const busy = widget.locator('.monaco-progress-container.active');
  let last = null;
  for (;;) {
    const v = await value();
    const idle = !(await busy.isVisible().catch(() => false));
    if (idle && v.startsWith('/') && v === last) break;
    last = idle ? v : null;
    if (Date.now() > deadline) throw new Error(`the file dialog never settled on a path (last value "${v}")`);
    await sleep(150);
  }
  // Type, then wait until the dialog is idle with our text still in the box on two looks in a row;
  // if it rewrote the box meanwhile (typing a folder's path starts a listing), type again.
  let steady = 0;
  for (;;) {
    if ((await value()) !== text) {
      await input.fill(text);
      steady = 0;
    }
    const idle = !(await busy.isVisible().catch(() => false));
    steady = idle && (await value()) === text ? steady + 1 : 0;
    if (steady >= 2) return;
    if (Date.now() > deadline) throw new Error(`the file dialog did not settle on "${text}" (box: "${await value()}")`);
    await sleep(150);
  }
}

/**
 * Answers the simple file dialog (open or save) with an absolute path and accepts it.
 * `listed`: the file exists, so its row is waited for briefly first (a hint only: under load the
 * listing can lag, and the dialog accepts a typed path without it); false for a new file to save.
 */
export async function answerFileDialog(page, absPath, { timeoutMs = 20_000, onTyped, listed = true } = {}) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await typeIntoFileDialog(page, absPath, { timeoutMs });
  if (listed) {
    const name = absPath.split('/').pop();
    await widget.locator('.monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
  }
  await onTyped?.();
  if ((await input.inputValue().catch(() => '')) !== absPath) await typeIntoFileDialog(page, absPath, { timeoutMs });
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Clicks a notification button (e.g. "Use Untrained Weights"), waiting for it to appear. */
export async function clickNotificationButton(page, label, { timeoutMs = 30_000, onVisible } = {}) {
  const button = page.locator('.notifications-toasts .notification-toast .monaco-button', { hasText: exact(label) }).first();
  await button.waitFor({ state: 'visible', timeout: timeoutMs });
  await onVisible?.();
  await button.click();
}

/** Locator root inside the newest (visible) webview: page > iframe.webview.ready > iframe#active-frame. */
export function webviewContent(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** Waits for the result webview's #status to read done (or error), returning the final status. */
export async function waitForWebviewStatus(page, { timeoutMs = 180_000, onTick } = {}) {
  const status = webviewContent(page).locator('#status');
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = (await status.textContent({ timeout: 1000 }).catch(() => null))?.trim() ?? '';
    if (last === 'done' || last === 'error') return last;
    if (Date.now() > deadline) throw new Error(`webview #status never became done/error in ${timeoutMs / 1000} s (last: "${last || 'no #status'}")`);
    await onTick?.(last);
    await sleep(500);
  }
}

/** Reads the rendered predictions from the result webview. */
export async function readPredictions(page) {
  const rows = webviewContent(page).locator('.prediction');
  const n = await rows.count();
  const out = [];
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    out.push({
      label: ((await row.locator('.label').first().textContent({ timeout: 2000 }).catch(() => null)) ?? '').trim(),
      probabilityText: ((await row.locator('.probability').first().textContent({ timeout: 2000 }).catch(() => null)) ?? '').trim(),
      probability: Number(await row.getAttribute('data-probability', { timeout: 2000 })),
    });
  }
  return out;
}

/** Checks a top-K prediction list; returns a list of problems (empty when fine). */
export function checkPredictions(predictions, k) {
  const problems = [];
  if (predictions.length !== k) problems.push(`expected ${k} .prediction rows, got ${predictions.length}`);
  let sum = 0;
  predictions.forEach((p, i) => {
    if (!Number.isFinite(p.probability) || p.probability < 0 || p.probability > 1) problems.push(`row ${i}: data-probability ${p.probability} not in [0,1]`);
    if (!p.label) problems.push(`row ${i}: empty .label`);
    if (!p.probabilityText) problems.push(`row ${i}: empty .probability`);
    if (i > 0 && p.probability > predictions[i - 1].probability + 1e-9) problems.push(`row ${i}: not sorted by probability (${p.probability} > ${predictions[i - 1].probability})`);
    sum += p.probability;
  });
  if (sum > 1 + 1e-4) problems.push(`probabilities sum to ${sum} > 1`);
  return problems;
}
