/**
 * The desktop app in preview mode, for end-to-end tests: the real renderer (built once), the
 * real engine process (forked with Node) and the same handler table the Electron main process
 * registers, served on 127.0.0.1; Debian's Chromium drives it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { EngineHandle } from '../../main/app/engine-client.js';
import { forkEngine } from '../../main/app/preview-engine.js';
import { previewShell, startPreview, type PreviewServer } from '../../main/app/preview.js';
import { ROOT } from '../helpers/fixtures.js';
import { buildRenderer, launchChromium, recordCspViolations, watchProblems } from '../renderer/harness.js';

export interface RunningApp {
  server: PreviewServer;
  engine: EngineHandle;
  /** Engine process messages (its log), for failed tests. */
  log: string[];
  close(): Promise<void>;
}

/** `trash`: the folder the preview's stand-in trash moves files into (see previewShell). */
interface AppOptions {
  dataDir: string;
  model?: string;
  folders: string[];
  trash?: string;
}

export async function startApp(options: AppOptions & { rendererDir: string }): Promise<RunningApp> {
  const log: string[] = [];
  let server: PreviewServer | null = null;
  const engine = forkEngine({ dataDir: options.dataDir, resourcesDir: path.join(ROOT, 'resources'), model: options.model }, (event) => server?.broadcast(event), (message) => log.push(message));
  server = await startPreview({ rendererDir: options.rendererDir, engine, shell: previewShell(options.folders, options.trash), log: (message) => log.push(message) });
  const running = server;
  return {
    server: running,
    engine,
    log,
    close: async () => {
      await running.close();
      await engine.shutdown();
    },
  };
}

export interface AppPage {
  page: Page;
  problems: string[];
  /** The names of the calls the page has sent, in order. */
  calls: string[];
  close(): Promise<void>;
}

export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 860 }): Promise<AppPage> {
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  await recordCspViolations(context);
  const page = await context.newPage();
  const watched = await watchProblems(context, page);
  const calls: string[] = [];
  // Calls travel on the page's one socket (Note [Calls beside the photos] in main/app/preview.ts).
  page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => calls.push((JSON.parse(String(payload)) as { name: string }).name)));
  await page.goto(url);
  return {
    page,
    problems: watched.problems,
    calls,
    close: async () => {
      await watched.collect();
      await context.close();
    },
  };
}

/**
 * A test file's app: the renderer built, Chromium, the app and a page open on it. `relaunch`
 * quits the app and opens it again on the same data, as a person would, doing `whileClosed` in
 * between; `close` stops it all,
 * then fails the test file if any page saw a console error, page error or CSP violation.
 */
export interface AppSession {
  app: RunningApp;
  view: AppPage;
  relaunch(whileClosed?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function launchApp(options: AppOptions): Promise<AppSession> {
  const [renderer, browser] = await Promise.all([buildRenderer(), launchChromium()]);
  const open = async () => {
    const app = await startApp({ ...options, rendererDir: renderer.dir });
    return { app, view: await openPage(browser, app.server.url) };
  };
  const problems: string[] = [];
  const quit = async ({ app, view }: { app: RunningApp; view: AppPage }) => {
    await view.close();
    problems.push(...view.problems);
    await app.close();
  };
  const session: AppSession = {
    ...(await open()),
    relaunch: async (whileClosed) => {
      await quit(session);
      await whileClosed?.();
      Object.assign(session, await open());
    },
    close: async () => {
      try {
        await quit(session);
      } finally {
        await browser.close();
        await renderer.dispose();
      }
      expect(problems).toEqual([]);
    },
  };
  return session;
}

/** Retries until the page agrees (the UI updates asynchronously). */
export const eventually = <T>(read: () => Promise<T> | T, timeout = 15_000) => expect.poll(read, { timeout, interval: 50 });

/** The accessible names of the photos in a grid, in display order. */
export async function tileNames(grid: Locator): Promise<string[]> {
  return grid.getByRole('option').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label') ?? ''));
}

/** Saves a screenshot under .cache/screenshots (docs/screenshots with LUMEN_UPDATE_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env['LUMEN_UPDATE_SCREENSHOTS'] ? path.join(ROOT, 'docs', 'screenshots') : path.join(ROOT, '.cache', 'screenshots');
  await mkdir(dir, { recursive: true });
  // Every photo in view has loaded: a placeholder left in a screenshot is a photo that never came.
  await page.waitForFunction(() =>
    [...document.images]
      .filter((image) => {
        const box = image.getBoundingClientRect();
        return box.width > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
      })
      .every((image) => image.complete && image.naturalWidth > 0),
  );
  // Transitions (a photo fading in) are shown at their end, as a person sees the screen a moment later.
  await page.screenshot({ path: path.join(dir, `${name}.png`), animations: 'disabled' });
}
