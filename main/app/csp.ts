/**
 * Content-Security-Policy of the renderer, sent as a response header with every file the app
 * scheme serves (and added to the dev server's responses in `electron-vite dev`).
 *
 * Note [No inline code]: the production policy allows no inline script or style and no eval.
 * The renderer therefore never uses `style="..."` attributes or `<style>` elements created at
 * run time; dynamic visuals use classes and native elements such as `<progress>`. The renderer
 * tests serve the build under this exact policy and fail on any violation.
 */

const BASE: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

function render(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The policy of the packaged app (and of the renderer tests). */
export const APP_CSP = render(BASE);

/**
 * The policy while developing with Vite's dev server: its client injects `<style>` elements and
 * talks to the server over a WebSocket for hot reload. Nothing else is relaxed.
 */
export function devCsp(devServerOrigin: string): string {
  const ws = devServerOrigin.replace(/^http/, 'ws');
  return render({
    ...BASE,
    'style-src': ["'self'", "'unsafe-inline'"],
    'connect-src': ["'self'", ws],
  });
}
