// Shared tail of the classify scenarios: untrained-weights prompt, webview result checks.
import { clickNotificationButton, waitForWebviewStatus, readPredictions, checkPredictions, webviewContent } from './workbench.mjs';

export async function classifyAndCheck(ctx, page, { topK }) {
  const notes = [];
  // No pretrained weights can be downloaded here: the first classification must offer untrained ones.
  await clickNotificationButton(page, 'Use Untrained', { timeoutMs: 60_000, onVisible: () => ctx.shot('weights-prompt') }).catch(async (e) => {
    await ctx.shot('no-weights-prompt');
    throw new Error(`no "Use Untrained" notification: ${e.message}`);
  });
  await ctx.shot('after-untrained-weights');
  let ticks = 0;
  const status = await waitForWebviewStatus(page, {
    timeoutMs: 180_000,
    onTick: async () => { if (++ticks % 20 === 0) await ctx.shot(`waiting-${ticks / 2}s`); },
  });
  await ctx.shot(`result-${status}`);
  if (status !== 'done') {
    const text = await webviewContent(page).locator('#app').innerText({ timeout: 2000 }).catch(() => '');
    throw new Error(`result webview says ${status}: ${text.slice(0, 500)}`);
  }
  const predictions = await readPredictions(page);
  ctx.log(`predictions: ${predictions.map((p) => `${p.label} ${p.probability}`).join('; ')}`);
  const problems = checkPredictions(predictions, topK);
  if (!(await webviewContent(page).locator('#untrained-banner').isVisible({ timeout: 2000 }).catch(() => false))) {
    problems.push('#untrained-banner is not shown although untrained weights were chosen');
  }
  if (problems.length) throw new Error(problems.join('; '));
  const sum = predictions.reduce((s, p) => s + p.probability, 0);
  notes.push(`${predictions.length} rows, top-1 "${predictions[0].label}" ${predictions[0].probability}, sum ${sum.toFixed(4)}`);
  return notes;
}
