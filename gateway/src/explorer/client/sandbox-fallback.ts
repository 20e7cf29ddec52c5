// Runs in Apollo's landing page before Sandbox's script tag. Sandbox comes from Apollo's CDN:
// when that script fails to load, or has not arrived within the timeout (a black-holed
// network can hang a connection for minutes), the page switches to the gateway's own explorer.
// The parser blocks on Sandbox's synchronous script, but timers still fire meanwhile.
// Served as a classic script (an IIFE, so its names stay private); `export {}` only makes
// TypeScript check it as a module.

export {};

interface SandboxWindow extends Window {
  EmbeddedSandbox?: unknown;
}

const currentScript = document.currentScript;
const explorerPath = currentScript?.dataset.explorer ?? '/explorer';
const timeoutMs = Number(currentScript?.dataset.timeoutMs ?? '4000');
let switched = false;

function switchToExplorer(reason: 'error' | 'timeout'): void {
  if (switched) return;
  switched = true;
  const target = new URL(explorerPath, window.location.href);
  target.searchParams.set('from', 'sandbox');
  target.searchParams.set('reason', reason);
  window.location.replace(target.href);
}

function sandboxLoaded(): boolean {
  return typeof (window as SandboxWindow).EmbeddedSandbox === 'function';
}

// A script's load error does not bubble, but a capturing listener on window sees it.
window.addEventListener(
  'error',
  (event) => {
    const target = event.target;
    if (target instanceof HTMLScriptElement && target.src && new URL(target.src).origin !== window.location.origin) {
      switchToExplorer('error');
    }
  },
  true,
);
window.setTimeout(() => {
  if (!sandboxLoaded()) switchToExplorer('timeout');
}, timeoutMs);

// When Sandbox does load, a small link to the offline explorer stays in a corner. Styled
// through the CSSOM: the landing page's CSP admits only nonce'd style elements.
document.addEventListener('DOMContentLoaded', () => {
  if (switched) return;
  const link = document.createElement('a');
  link.href = explorerPath;
  link.textContent = 'Offline explorer';
  link.title = 'GraphiQL served by this gateway: works without internet';
  link.id = 'plaza-offline-explorer-link';
  Object.assign(link.style, {
    position: 'fixed',
    right: '8px',
    bottom: '8px',
    zIndex: '2147483647',
    font: '12px/1.4 system-ui, sans-serif',
    padding: '2px 8px',
    borderRadius: '4px',
    background: 'rgba(255, 255, 255, 0.85)',
    color: '#3f20ba',
    textDecoration: 'none',
  });
  document.body.appendChild(link);
});
