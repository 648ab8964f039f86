/**
 * Runs the real renderer build in Debian's Chromium: builds it once into a temp folder, serves it
 * from 127.0.0.1 with the app's CSP (and the app's own file resolver), and stands in for the
 * preload with a fake `window.lumen` whose calls are answered here, in the test, by `FakeLumen`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { build, type InlineConfig } from 'vite';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { rendererConfig } from '../../electron.vite.config.js';
import { APP_CSP } from '../../main/app/csp.js';
import { folderKey } from '../../main/core/folder-key.js';
import { contentTypeOf, resolveRendererFile } from '../../main/app/renderer-files.js';
import type { AppEvent, EngineStatus, CallName, CallOutcome, CallParams, FolderChoice, JobInfo, LibraryTimeline, ModelsListing } from '../../preload/contract.js';

export const CHROMIUM = '/usr/bin/chromium';

export async function buildRenderer(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lumen-renderer-'));
  const config = rendererConfig as InlineConfig;
  await build({ ...config, configFile: false, logLevel: 'warn', mode: 'production', build: { ...config.build, outDir: dir, emptyOutDir: true } });
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** A 1x1 grey PNG: every photo of a fake engine's library (`/photo/KIND/ID?v=VERSION`, as its `photoUrl` says). */
const FAKE_PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWPo6OgAAAM0AZmUse0HAAAAAElFTkSuQmCC', 'base64');

export async function serve(dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  let origin = '';
  const server = http.createServer((request, response) => {
    void (async () => {
      if (request.url?.startsWith('/photo/')) {
        response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(FAKE_PHOTO);
        return;
      }
      const file = await resolveRendererFile(dir, `${origin}${request.url ?? '/'}`, origin);
      if (!file) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      response.writeHead(200, { 'content-type': contentTypeOf(file), 'content-security-policy': APP_CSP, 'cache-control': 'no-store' });
      response.end(await readFile(file));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Chromium's own omnibox popup, a page of its browser UI in a renderer process of its own, starts
 * beside every new page: 0.4-0.6 s of a core per page on two cores, which the app's window
 * (Electron, no browser UI) never spends. Left on, the app benchmark's launch timed Chromium's
 * toolbar as much as the app, and every end-to-end page paid for it.
 */
const NO_BROWSER_UI = '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', NO_BROWSER_UI],
  });
}

/** The pages of Chromium's own UI open in `browser` (none, unless a Chromium renamed what NO_BROWSER_UI turns off). */
export async function browserUiPages(browser: Browser): Promise<string[]> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await session.send('Target.getTargets');
    return targetInfos.filter((target) => target.type === 'browser_ui').map((target) => target.url);
  } finally {
    await session.detach();
  }
}

/**
 * The renderer built and served, and Chromium started, once for a test file (in its beforeAll),
 * all of it closed after the file's tests; read `browser` and `origin` inside the tests.
 */
export function rendererInChromium(): { readonly browser: Browser; readonly origin: string } {
  let running: { browser: Browser; origin: string; close: () => Promise<void> } | null = null;
  beforeAll(async () => {
    // Fail loudly, never skip: these tests need Debian's chromium (apt-get install -y chromium).
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing`).toBe(true);
    const [built, browser] = await Promise.all([buildRenderer(), launchChromium()]);
    const server = await serve(built.dir);
    running = {
      browser,
      origin: server.origin,
      close: async () => {
        await browser.close();
        await server.close();
        await built.dispose();
      },
    };
  }, 120_000);
  afterAll(() => running?.close());
  const started = () => {
    if (!running) throw new Error('the renderer is not started: call rendererInChromium() at the top of a test file');
    return running;
  };
  return {
    get browser() {
      return started().browser;
    },
    get origin() {
      return started().origin;
    },
  };
}

type Outcome = CallOutcome<CallName>;

interface Deferred {
  resolve: (outcome: Outcome) => void;
}

/** The app as the renderer sees it: canned data, recorded calls, downloads finished on demand. */
export class FakeLumen {
  readonly calls: Array<{ name: CallName; params: unknown }> = [];
  private readonly downloads = new Map<string, Deferred>();
  /** Per-call answers that replace the defaults. */
  readonly overrides: Partial<Record<CallName, (params: never) => Outcome | Promise<Outcome>>> = {};
  importResult: { id: string; dir: string } | null = null;

  constructor(
    public status: EngineStatus,
    public listing: ModelsListing,
  ) {}

  callsOf<N extends CallName>(name: N): Array<CallParams<N>> {
    return this.calls.filter((call) => call.name === name).map((call) => call.params as CallParams<N>);
  }

  async answer(name: CallName, params: unknown): Promise<Outcome> {
    this.calls.push({ name, params });
    const override = this.overrides[name] as ((params: unknown) => Outcome | Promise<Outcome>) | undefined;
    if (override) return override(params);
    switch (name) {
      case 'app.status':
        return { ok: true, value: structuredClone(this.status) };
      case 'models.list':
        return { ok: true, value: structuredClone(this.listing) };
      case 'models.download': {
        const { id } = params as { id: string };
        return new Promise((resolve) => this.downloads.set(id, { resolve }));
      }
      case 'models.cancelDownload':
        return { ok: true, value: { cancelled: this.downloads.has((params as { id: string }).id) } };
      case 'models.importFromDialog':
        if (this.importResult) this.install(this.importResult.id, this.importResult.dir);
        return { ok: true, value: this.importResult };
      case 'settings.update': {
        const change = params as { model?: string | null; provider?: string };
        this.status.settings = { ...this.status.settings, ...change } as EngineStatus['settings'];
        const installed = this.listing.installed.find((model) => model.id === change.model);
        if (installed) {
          const providers = this.status.model?.providers ?? { image: 'cpu', text: 'cpu' };
          this.status.model = { id: installed.id, dir: installed.dir, dim: installed.dim, layout: installed.layout, providers };
          this.status.modelProblem = null;
        }
        if (change.provider && this.status.model) {
          const provider = change.provider === 'auto' ? 'webgpu' : change.provider;
          this.status.model.providers = { image: provider, text: provider };
        }
        return { ok: true, value: structuredClone(this.status.settings) };
      }
      default:
        return { ok: false, error: { code: 'unexpected', message: `The fake engine does not answer ${name}.` } };
    }
  }

  /** Whether the renderer has a `models.download` call waiting for `id`. */
  isDownloading(id: string): boolean {
    return this.downloads.has(id);
  }

  finishDownload(id: string, outcome: Outcome): void {
    const deferred = this.downloads.get(id);
    if (!deferred) throw new Error(`No download of ${id} is waiting.`);
    this.downloads.delete(id);
    deferred.resolve(outcome);
  }

  install(id: string, dir: string, dim = 512, layout: 'immich' | 'hf' = 'immich'): void {
    this.listing.installed.push({ id, dir, bytes: FAKE_MODEL_BYTES, dim, layout });
    for (const entry of this.listing.catalogue) if (entry.id === id) entry.installed = true;
  }
}

/** The model of `libraryFake`'s library. */
export const FAKE_MODEL = 'clip-vit-base-patch32';
/** What the folder of each model the fakes install holds. */
export const FAKE_MODEL_BYTES = 605_000_000;

/** The timeline of `libraryFake`: c.jpg, b.jpg and a.jpg (ids 3, 2, 1), newest first. */
export const FAKE_TIMELINE: LibraryTimeline = { total: 3, ids: [3, 2, 1], ratios: [1.5, 1, 0.75], takenAt: [Date.UTC(2024, 5, 3), Date.UTC(2024, 5, 2), Date.UTC(2024, 4, 1)], names: ['c.jpg', 'b.jpg', 'a.jpg'], folderIds: [1, 1, 1], versions: [3, 2, 1] };

/** The folder of `libraryFake`'s library, as the Folder filter lists it. */
export const FAKE_FOLDER: FolderChoice = { key: folderKey('/home/ada/Pictures'), alike: [], path: '/home/ada/Pictures', depth: 0, photos: 3 };

/** A fake engine with a model and a library of three photos, indexed and ready. */
export function libraryFake(): FakeLumen {
  const status: EngineStatus = {
    dataDir: '/home/ada/.config/Lumen',
    settings: { model: null, provider: 'auto' },
    model: { id: FAKE_MODEL, dir: `/home/ada/.config/Lumen/models/${FAKE_MODEL}`, dim: 512, layout: 'hf', providers: { image: null, text: 'cpu' } },
    modelProblem: null,
    availableProviders: ['cpu'],
    providerChoices: ['auto', 'cpu'],
    library: {
      photos: 3,
      images: 3,
      failed: 0,
      folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [] }],
      servingModel: FAKE_MODEL,
      models: [{ model: FAKE_MODEL, embedded: 3, missing: 0 }],
      unfinishedRun: false,
      index: { model: FAKE_MODEL, health: 'ready', vectors: 3, embeddings: 3 },
      lastBackupAt: null,
    },
    jobs: [],
    restored: null,
    writer: null,
  };
  const fake = new FakeLumen(status, { installed: [{ id: FAKE_MODEL, dir: status.model?.dir ?? '', bytes: FAKE_MODEL_BYTES, dim: 512, layout: 'hf' }], broken: [], catalogue: [], downloading: [] });
  fake.overrides['photos.timeline'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
  fake.overrides['photos.folders'] = () => ({ ok: true, value: [FAKE_FOLDER] });
  return fake;
}

/** The engine's news of a job: one the person asked for, unless `change` says it is `background`. */
export function jobEvent(change: Partial<JobInfo> & Pick<JobInfo, 'id' | 'kind' | 'state'>): AppEvent {
  return { type: 'job', job: { subject: null, error: null, progress: null, background: false, ...change } as JobInfo };
}

interface FakeWindow {
  __lumenCall(name: string, params: unknown): Promise<unknown>;
  __lumenEmit(event: unknown): void;
  lumen: unknown;
}

export interface AppPage {
  page: Page;
  /** Console errors and warnings, page errors, CSP violations. */
  problems: string[];
  emit(event: AppEvent): Promise<void>;
  close(): Promise<void>;
}

/**
 * Pastes a file named `name` where focus is, as a photo copied elsewhere: JPEG's first bytes, or
 * `text` in their place; with `words` as text beside it, as a file manager puts the file's name.
 */
export const paste = (page: Page, name: string, text?: string, words?: string) =>
  page.evaluate(
    ([fileName, content, said]) => {
      const data = new DataTransfer();
      data.items.add(new File([content ?? new Uint8Array([0xff, 0xd8, 0xff])], fileName, { type: 'image/jpeg' }));
      if (said !== undefined) data.setData('text/plain', said);
      (document.activeElement ?? window).dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    },
    [name, text, words] as const,
  );

type Rgb = { r: number; g: number; b: number };

/** What `contrastOf` measures: the element's text (or a pseudo-element's), or a colour it paints of its own. */
export type Painted = { paint?: 'color' | 'borderTopColor' | 'outlineColor'; pseudo?: string };

/**
 * The colour that shows at an element's text, or where it paints a colour of its own (`paint`: its
 * border's, its outline's), and behind it: each ancestor's background laid over the one below it,
 * and each opacity on the way fading what it holds into what is behind it. A border or an outline
 * shows against its parent's colours. Runs in the page, so it holds all it uses.
 */
function shownColours(element: Element, { paint = 'color', pseudo }: Painted): { fore: Rgb; back: Rgb } {
  // rgb(…) in 0-255; a colour mixed in CSS (color-mix) computes to color(srgb …) in 0-1.
  const rgba = (css: string) => {
    const scale = css.startsWith('color(srgb') ? 255 : 1;
    const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
    return { r: r * scale, g: g * scale, b: b * scale, a };
  };
  const over = (top: Rgb & { a: number }, below: Rgb, alpha = top.a): Rgb => ({
    r: top.r * alpha + below.r * (1 - alpha),
    g: top.g * alpha + below.g * (1 - alpha),
    b: top.b * alpha + below.b * (1 - alpha),
  });
  const chain: Element[] = [];
  for (let node: Element | null = paint === 'color' ? element : element.parentElement; node; node = node.parentElement) chain.unshift(node);
  const painted = rgba(getComputedStyle(element, pseudo)[paint]);
  const layered = (depth: number, below: Rgb, withFore: boolean): Rgb => {
    if (depth === chain.length) return withFore ? over(painted, below) : below;
    const style = getComputedStyle(chain[depth] as Element);
    const inside = layered(depth + 1, over(rgba(style.backgroundColor), below), withFore);
    return over({ ...inside, a: 1 }, below, Number(style.opacity));
  };
  const white = { r: 255, g: 255, b: 255 };
  return { fore: layered(0, white, true), back: layered(0, white, false) };
}

/**
 * The contrast ratio (WCAG) of what `painted` names (an element's text by default) against what
 * shows behind it, measured in the page: `await contrastOf(locator)`,
 * `await contrastOf(field, { pseudo: '::placeholder' })`, `await contrastOf(field, { paint: 'borderTopColor' })`.
 */
export async function contrastOf(locator: Locator, painted: Painted = {}): Promise<number> {
  const { fore, back } = await locator.evaluate(shownColours, painted);
  const luminance = ({ r, g, b }: Rgb) => {
    const [lr, lg, lb] = [r, g, b].map((channel) => (channel / 255 <= 0.04045 ? channel / 255 / 12.92 : ((channel / 255 + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    return 0.2126 * lr + 0.7152 * lg + 0.0722 * lb;
  };
  const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Records console errors and warnings, page errors and CSP violations of a page. */
export async function watchProblems(context: BrowserContext, page: Page): Promise<{ problems: string[]; collect(): Promise<void> }> {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    problems.push(`console ${message.type()}: ${message.text()}`);
  });
  return {
    problems,
    collect: async () => {
      const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []).catch(() => []);
      problems.push(...violations.map((violation) => `CSP: ${violation}`));
    },
  };
}

/** Init script: every CSP violation of the page is recorded for `watchProblems`. */
export async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const win = window as unknown as { __cspViolations: string[] };
    win.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      win.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
}

/**
 * The app's pages for one test file: `open` shows the app on a fake engine in the shared
 * Chromium; after each test the page opened is closed, and it must have had no console errors,
 * page errors or CSP violations.
 */
export function appPages(renderer: { readonly browser: Browser; readonly origin: string }): { open: (fake: FakeLumen, options?: Parameters<typeof openApp>[3]) => Promise<AppPage> } {
  let opened: AppPage | null = null;
  afterEach(async () => {
    const app = opened;
    opened = null;
    if (!app) return;
    await app.close();
    expect(app.problems).toEqual([]);
  });
  return { open: async (fake, options) => (opened = await openApp(renderer.browser, renderer.origin, fake, options)) };
}

export async function openApp(
  browser: Browser,
  origin: string,
  fake: FakeLumen,
  options: { hash?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
  context.setDefaultTimeout(5000);
  await context.exposeBinding('__lumenCall', (_source, name: CallName, params: unknown) => fake.answer(name, params));
  await recordCspViolations(context);
  await context.addInitScript(() => {
    const win = window as unknown as FakeWindow;
    const listeners = new Set<(event: unknown) => void>();
    win.__lumenEmit = (event) => listeners.forEach((listener) => listener(event));
    win.lumen = Object.freeze({
      call: (name: string, params: unknown) => win.__lumenCall(name, params),
      onEvent: (listener: (event: unknown) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      // As preload/photo-path.ts builds it (Note [Photo versions] in main/app/photo-route.ts).
      photoUrl: (id: number, kind: string, version?: number) => `/photo/${kind}/${id}${version === undefined ? '' : `?v=${version}`}`,
    });
  });
  const page = await context.newPage();
  const watched = await watchProblems(context, page);
  await page.goto(`${origin}/index.html${options.hash ?? ''}`);
  return {
    page,
    problems: watched.problems,
    emit: (event) => page.evaluate((e) => (window as unknown as FakeWindow).__lumenEmit(e), event as unknown),
    close: async () => {
      await watched.collect();
      await context.close();
    },
  };
}
