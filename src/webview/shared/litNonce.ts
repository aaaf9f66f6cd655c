// Lit (under @vscode-elements) writes <style> elements where adoptedStyleSheets is missing; give
// them the page's nonce. Import this first: module code runs in import order.
const script = document.currentScript as HTMLScriptElement | null;
const nonce = script?.nonce || document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce;
if (nonce) (globalThis as { litNonce?: string }).litNonce = nonce;
export {};
