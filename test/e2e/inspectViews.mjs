// Helpers for the inspect scenarios: find a webview by an element only it has, wait on its
// #status[data-state], and read numbers the views expose as data attributes.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The content frame (iframe.webview > #active-frame) that contains `selector`. */
export async function webviewWith(page, selector, { timeoutMs = 90_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outer = page.locator('iframe.webview.ready');
    const n = await outer.count();
    for (let i = n - 1; i >= 0; i--) {
      const frame = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
      if (await frame.locator(selector).first().isVisible({ timeout: 300 }).catch(() => false)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview with ${selector} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** Waits until `frame`'s #status has data-state done (throws on error), optionally until `until()` holds. */
export async function waitDone(frame, { timeoutMs = 240_000, until, onTick } = {}) {
  const deadline = Date.now() + timeoutMs;
  let ticks = 0;
  for (;;) {
    const status = frame.locator('#status').first();
    const state = await status.getAttribute('data-state', { timeout: 1000 }).catch(() => null);
    const text = ((await status.textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
    if (state === 'error') throw new Error(`webview reports an error: ${text}`);
    if (state === 'done' && (!until || (await until()))) return text;
    if (Date.now() > deadline) throw new Error(`webview not done after ${timeoutMs / 1000} s (state ${state}: "${text}")`);
    if (++ticks % 40 === 0) await onTick?.(ticks / 2);
    await sleep(500);
  }
}

/** Clicks the activity-bar entry whose label starts with `label`. */
export async function openActivity(page, label, { timeoutMs = 60_000 } = {}) {
  const item = page.locator(`.activitybar .action-item a.action-label[aria-label^="${label}"]`).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  await item.click();
}
