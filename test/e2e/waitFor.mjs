// Waits on state, never on time: every e2e wait polls a condition the UI exposes (a value in a box,
// a data attribute a view sets when it has drawn, a counter that moved) with a bound that only
// decides when to give up. A loaded machine makes the poll slower, not wrong.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check()` until it returns something truthy, and returns that. After `timeoutMs` throws
 * "<what> (last: <describe()>)" so a failure says what was awaited and what was seen instead.
 */
export async function waitUntil(check, { timeoutMs = 30_000, intervalMs = 100, what = 'a condition', describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve().then(check).catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) {
      const seen = describe ? await Promise.resolve().then(describe).catch((e) => `unreadable: ${e.message}`) : undefined;
      throw new Error(`${what} not reached in ${timeoutMs / 1000} s${seen === undefined ? '' : ` (last: ${seen})`}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves after the frame (a webview content FrameLocator) has painted `n` more animation frames. */
export async function afterFrames(frame, n = 2) {
  await frame.locator('body').evaluate((_, count) => new Promise((resolve) => {
    let left = count;
    const tick = () => (--left <= 0 ? resolve() : globalThis.requestAnimationFrame(tick));
    globalThis.requestAnimationFrame(tick);
  }), n);
}
