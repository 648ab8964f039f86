/**
 * The Settings screen (models and where they run), built for real and driven in Chromium against a fake engine.
 * Every page must finish without console errors, page errors or CSP violations.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AppEvent, CallName, CallOutcome, EngineStatus, CatalogueModel, DownloadProgressInfo, ModelsListing } from '../../preload/contract.js';
import { FakeLumen, appPages, openApp, rendererInChromium, type AppPage } from './harness.js';

/** Retries until the page agrees (the UI updates asynchronously). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
/** An element's text with whitespace collapsed. */
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const visible = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: 5000 });
const count = (locator: Locator) => poll(() => locator.count());
const attribute = (locator: Locator, name: string) => poll(() => locator.getAttribute(name));
const value = (locator: Locator) => poll(() => locator.inputValue());
const colourOf = (locator: Locator) => locator.evaluate((element) => getComputedStyle(element).color);
/** The colour one of the app's CSS variables stands for, as a computed style gives it. */
const colourOfVariable = (page: AppPage['page'], variable: string) =>
  page.evaluate((name) => {
    const probe = document.body.appendChild(document.createElement('span'));
    probe.style.color = `var(${name})`;
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, variable);

const MB = 1_000_000;
const LAION = 'ViT-B-32__laion2b-s34b-b79k';
const OPENAI = 'clip-vit-base-patch32';
const MULTI = 'XLM-Roberta-Base-ViT-B-32__laion5b_s13b_b90k';

function catalogue(installed: string[]): CatalogueModel[] {
  const entries: Array<Omit<CatalogueModel, 'installed'>> = [
    {
      id: LAION,
      name: 'CLIP ViT-B/32 (LAION-2B)',
      repo: `immich-app/${LAION}`,
      layout: 'immich',
      approxBytes: 605 * MB,
      quality: 'Good quality per compute (77.6% on Immich’s benchmark); fast on any laptop. Recommended.',
      languages: 'English',
      licence: 'MIT',
      dynamicBatch: false,
    },
    {
      id: OPENAI,
      name: 'CLIP ViT-B/32 (OpenAI)',
      repo: `Xenova/${OPENAI}`,
      layout: 'hf',
      approxBytes: 605 * MB,
      quality: 'OpenAI’s original weights (69.9%); dynamic batch, the fastest choice on a GPU.',
      languages: 'English',
      licence: 'MIT',
      dynamicBatch: true,
    },
    {
      id: MULTI,
      name: 'Multilingual CLIP ViT-B/32 (XLM-RoBERTa)',
      repo: `immich-app/${MULTI}`,
      layout: 'immich',
      approxBytes: 1470 * MB,
      quality: 'Search in about 100 languages at ViT-B/32 image cost; larger text model.',
      languages: 'Multilingual (about 100 languages)',
      licence: 'MIT',
      dynamicBatch: false,
    },
  ];
  return entries.map((entry) => ({ ...entry, installed: installed.includes(entry.id) }));
}

/** The engine's event for a model download job. */
function downloadJob(id: string, state: 'running' | 'done' | 'cancelled', progress: DownloadProgressInfo | null): AppEvent {
  return { type: 'job', job: { id: `download-${id}`, kind: 'download', subject: id, state, progress, error: null, background: false } };
}

const CHOICES = ['auto', 'gpu', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda'];

function readyFake(): FakeLumen {
  const status: EngineStatus = {
    dataDir: '/home/ada/.config/Lumen',
    settings: { model: null, provider: 'auto' },
    model: { id: LAION, dir: `/home/ada/.config/Lumen/models/${LAION}`, dim: 512, layout: 'immich', providers: { image: 'webgpu', text: 'cpu' } },
    modelProblem: null,
    availableProviders: ['cpu', 'webgpu'],
    providerChoices: CHOICES,
    library: null,
    jobs: [],
    restored: null,
    writer: null,
  };
  const listing: ModelsListing = {
    installed: [{ id: LAION, dir: `/home/ada/.config/Lumen/models/${LAION}`, bytes: 605 * MB, dim: 512, layout: 'immich' }],
    broken: [{ id: 'half-copied', dir: '/home/ada/.config/Lumen/models/half-copied', bytes: 210 * MB, reason: 'visual/model.onnx is missing: import the folder again.' }],
    catalogue: catalogue([LAION]),
    downloading: [],
  };
  return new FakeLumen(status, listing);
}

function emptyFake(): FakeLumen {
  const fake = readyFake();
  fake.status.model = null;
  fake.status.modelProblem = { kind: 'none-installed', message: `No model is installed. Run \`models download ${LAION}\`, or pass --model DIR.` };
  fake.listing.installed = [];
  fake.listing.broken = [];
  fake.listing.catalogue = catalogue([]);
  return fake;
}

function progress(done: number, total: number, extra: Partial<DownloadProgressInfo> = {}): DownloadProgressInfo {
  return { file: 'visual.onnx', fileIndex: 1, fileCount: 3, bytesDone: done, bytesTotal: total, bytesPerSecond: 12.5 * MB, etaSeconds: 36, ...extra };
}

const renderer = rendererInChromium();
const pages = appPages(renderer);
const open = (fake: FakeLumen, options: { hash?: string; colorScheme?: 'light' | 'dark' } = { hash: '#/settings' }) => pages.open(fake, options);

function item(page: AppPage['page'], id: string): Locator {
  return page.locator(`li[data-model="${id}"]`);
}

describe('Settings: models', () => {
  it('shows the model in use, where each tower runs, the providers and the models', async () => {
    const fake = readyFake();
    const { page } = await open(fake);
    await visible(page.getByRole('heading', { level: 1, name: 'Settings' }));

    const facts = page.getByTestId('model-facts');
    await poll(text(facts)).toContain(LAION);
    await poll(text(facts)).toContain('512 dimensions');
    await poll(text(facts)).toContain('Immich export');
    await poll(text(page.getByTestId('image-provider'))).toBe('WebGPU');
    await poll(text(page.getByTestId('text-provider'))).toBe('CPU');
    await poll(async () => (await page.getByTestId('available-providers').getByRole('listitem').allTextContents()).map((t) => t.trim())).toEqual(['CPU', 'WebGPU']);

    const select = page.getByLabel('Run models on');
    await value(select).toBe('auto');
    await count(select.locator('option')).toBe(CHOICES.length);
    await poll(text(select.locator('option[value="cuda"]'))).toBe('CUDA (NVIDIA GPUs), not available here');

    await poll(text(item(page, LAION))).toContain('In use');
    await poll(text(item(page, LAION))).toContain('605 MB');
    await visible(item(page, OPENAI).getByText('batched', { exact: true }));
    await count(item(page, LAION).getByText('batched', { exact: true })).toBe(0);
    await poll(text(item(page, MULTI))).toContain('1.47 GB');
    await poll(text(item(page, MULTI))).toContain('Multilingual (about 100 languages)');
    await poll(text(item(page, MULTI))).toContain('Licence MIT');
    // The dots between a model's facts are seen, not heard.
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const heard = nodes.flatMap((node) => (node.role?.value === 'StaticText' ? [String(node.name?.value ?? '').trim()] : []));
    expect(heard).toContain('Licence MIT');
    expect(heard).not.toContain('·');
    await visible(item(page, OPENAI).getByRole('button', { name: `Download: CLIP ViT-B/32 (OpenAI)` }));

    const broken = page.locator('li[data-broken="half-copied"]');
    await poll(text(broken)).toContain('Cannot be used');
    await poll(text(broken)).toContain('visual/model.onnx is missing: import the folder again.');
    await poll(text(page.locator(`li[data-installed="${LAION}"]`))).toContain('In use');
    // Only the screen's own area scrolls: nothing (the hidden words of its lists) stretches the page under the header.
    await page.setViewportSize({ width: 1280, height: 400 });
    expect(await page.evaluate(() => [document.documentElement.scrollHeight, innerHeight])).toEqual([400, 400]);
  });

  it('lists a model in use from its own folder, outside the store, as in use', async () => {
    const fake = emptyFake();
    fake.status.modelProblem = null;
    fake.status.model = { id: 'tiny-clip', dir: '/work/models/tiny-clip', dim: 64, layout: 'hf', providers: { image: null, text: 'cpu' } };
    const { page } = await open(fake);
    const row = page.locator('li[data-installed="tiny-clip"]');
    await poll(text(row)).toBe('tiny-clip 64 dimensions · Hugging Face · used from its own folder, not from the model store /work/models/tiny-clip In use');
    await count(page.getByText('No models are installed yet.')).toBe(0);
  });

  it('never starts a wrapped line of a model’s facts with a separator', async () => {
    const { page } = await open(readyFake());
    await page.setViewportSize({ width: 500, height: 800 });
    const facts = item(page, MULTI).locator('.meta li');
    await poll(() => facts.count()).toBe(3);
    // Each fact, whether it starts a line, and the separator drawn before it (none: nothing drawn).
    const lines = await facts.evaluateAll((items) =>
      items.map((element, index) => ({
        starts: index === 0 || element.getBoundingClientRect().top > items[index - 1]!.getBoundingClientRect().top + 2,
        before: getComputedStyle(element, '::before').content,
      })),
    );
    // The narrow card does wrap the facts (else this would prove nothing)…
    expect(lines.filter((line) => line.starts).length).toBeGreaterThan(1);
    // …and no line starts with a dot.
    expect(lines.filter((line) => line.starts && line.before !== 'none')).toEqual([]);
    // Still one dot between facts, not after the last.
    await poll(() => facts.evaluateAll((items) => items.map((element) => [getComputedStyle(element, '::before').content, getComputedStyle(element, '::after').content].filter((content) => content !== 'none').length))).toEqual([1, 1, 0]);
  });

  it('says a tower not loaded yet waits for its work, not that the work is starting', async () => {
    const fake = readyFake();
    fake.status.model!.providers = { image: null, text: null };
    // A library long indexed: the image model has nothing to do until photos come.
    const { page } = await open(withLibrary(fake));
    await poll(text(page.getByTestId('image-provider'))).toBe('Not loaded: it starts when there are photos to index');
    await poll(text(page.getByTestId('text-provider'))).toBe('Not loaded: it starts with the first search');
  });

  it('without a model, says why and offers downloading or importing a folder', async () => {
    const fake = emptyFake();
    fake.importResult = { id: 'my-clip', dir: '/home/ada/.config/Lumen/models/my-clip' };
    const { page } = await open(fake);
    const status = page.getByRole('region', { name: 'Model in use' });
    await visible(status.getByText('No model is ready'));
    // The app speaks in its own words, not the CLI's.
    await poll(text(page.getByTestId('model-problem'))).toBe('No model is installed yet. Download one below, or import a model folder you already have.');
    await count(page.getByTestId('model-facts')).toBe(0);
    await visible(page.getByText('No models are installed yet.'));

    const listsBefore = fake.callsOf('models.list').length;
    await status.getByRole('button', { name: 'Import a model folder…' }).click();
    await visible(page.getByRole('main').getByText('Imported my-clip.'));
    await poll(() => page.locator('p.sr-only[aria-live="polite"]').textContent()).toBe('Imported my-clip.');
    expect(fake.callsOf('models.importFromDialog')).toEqual([{}]);
    expect(fake.callsOf('models.list').length).toBeGreaterThan(listsBefore);
    await poll(text(page.locator('li[data-installed="my-clip"]'))).toContain('512 dimensions');
  });

  it('says in its own words that the chosen model is no longer installed, and how it comes back: an imported one by its folder, a catalogue one by a download', async () => {
    const imported = emptyFake();
    imported.status.modelProblem = { kind: 'missing', model: 'tiny-clip-hf', downloadable: false, message: 'No model folder or catalogue model named "tiny-clip-hf". See `models list`.' };
    const { page } = await open(imported);
    await poll(text(page.getByTestId('model-problem'))).toBe('The chosen model, tiny-clip-hf, is no longer installed. Import its folder again or choose another model below.');

    const downloaded = emptyFake();
    downloaded.status.modelProblem = { kind: 'missing', model: LAION, downloadable: true, message: `Model ${LAION} is not installed. Run \`lumen models download ${LAION}\` first.` };
    const again = await open(downloaded);
    await poll(text(again.page.getByTestId('model-problem'))).toBe(`The chosen model, ${LAION}, is no longer installed. Download it again or choose another model below.`);
  });

  it('downloads with a live progress bar, then cancels', async () => {
    const fake = readyFake();
    const { page, emit } = await open(fake);
    const openai = item(page, OPENAI);
    // A double-click, a habit many people have: its second click lands on Cancel, and cancels nothing.
    await openai.getByRole('button', { name: /^Download/ }).dblclick();
    await poll(text(openai.getByTestId('download-text'))).toBe('Starting the download…');
    expect(fake.callsOf('models.download')).toEqual([{ id: OPENAI }]);
    expect(fake.callsOf('models.cancelDownload')).toEqual([]);

    await emit(downloadJob(OPENAI, 'running', progress(151.25 * MB, 605 * MB)));
    const bar = openai.getByRole('progressbar', { name: 'Download of CLIP ViT-B/32 (OpenAI)' });
    await attribute(bar, 'value').toBe('25');
    const numbers = openai.getByTestId('download-text');
    await poll(text(numbers)).toContain('25%');
    await poll(text(numbers)).toContain('151 MB of 605 MB');
    await poll(text(numbers)).toContain('12.5 MB/s');
    await poll(text(numbers)).toContain('about 36 s left');
    await poll(text(numbers)).toContain('file 2 of 3: visual.onnx');

    await emit(downloadJob(OPENAI, 'running', progress(363 * MB, 605 * MB, { file: 'textual.onnx', fileIndex: 2, etaSeconds: 150 })));
    await attribute(bar, 'value').toBe('60');
    await poll(text(numbers)).toContain('363 MB of 605 MB');
    await poll(text(numbers)).toContain('about 3 min left');
    await poll(text(numbers)).toContain('file 3 of 3: textual.onnx');
    await poll(text(openai.locator('[aria-live="polite"]'))).toBe('CLIP ViT-B/32 (OpenAI): 60 percent downloaded.');
    await page.screenshot({ path: '/tmp/lumen-settings.png', fullPage: true });

    await openai.getByRole('button', { name: 'Cancel download of CLIP ViT-B/32 (OpenAI)' }).click();
    expect(fake.callsOf('models.cancelDownload')).toEqual([{ id: OPENAI }]);
    // While it cancels, focus stays on its button (Note [Focus kept]), not on another model's Download, which a second Enter would start.
    await poll(text(openai.getByRole('button', { name: 'Cancel download of CLIP ViT-B/32 (OpenAI)' }))).toBe('Cancelling…');
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Cancel download of CLIP ViT-B/32 (OpenAI)');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(fake.callsOf('models.cancelDownload')).toEqual([{ id: OPENAI }]);
    await emit(downloadJob(OPENAI, 'cancelled', null));
    fake.finishDownload(OPENAI, { ok: false, error: { code: 'cancelled', message: 'Cancelled.' } });
    await visible(openai.getByRole('status').filter({ hasText: 'Download cancelled.' }));
    await count(openai.getByRole('progressbar')).toBe(0);
    await visible(openai.getByRole('button', { name: 'Resume download: CLIP ViT-B/32 (OpenAI)' }));
  });

  it('shows a failed download’s message inline and lets it be dismissed', async () => {
    const fake = readyFake();
    const { page } = await open(fake);
    const multi = item(page, MULTI);
    await multi.getByRole('button', { name: /^Download/ }).click();
    await poll(() => fake.isDownloading(MULTI)).toBe(true);
    const message = 'Lumen could not reach huggingface.co. Check your internet connection and try again, or import the model folder from disk.';
    fake.finishDownload(MULTI, { ok: false, error: { code: 'network', message } });
    const alert = multi.getByRole('alert');
    await poll(text(alert)).toContain('The download failed');
    await poll(text(alert)).toContain(message);
    await visible(multi.getByRole('button', { name: /^Try again/ }));
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await count(multi.getByRole('alert')).toBe(0);
    await visible(multi.getByRole('button', { name: /^Download/ }));
  });

  it('after a download, "Use this model" switches the model, which then shows as in use', async () => {
    const fake = readyFake();
    const { page, emit } = await open(fake);
    const openai = item(page, OPENAI);
    await openai.getByRole('button', { name: /^Download/ }).click();
    await poll(() => fake.isDownloading(OPENAI)).toBe(true);
    fake.install(OPENAI, `/home/ada/.config/Lumen/models/${OPENAI}`, 512, 'hf');
    await emit(downloadJob(OPENAI, 'done', null));
    fake.finishDownload(OPENAI, { ok: true, value: { dir: `/home/ada/.config/Lumen/models/${OPENAI}` } });
    // Its progress and their live region go: the end is said through the window's announcer.
    await poll(() => page.locator('p.sr-only[aria-live="polite"]').textContent()).toBe('CLIP ViT-B/32 (OpenAI) is downloaded.');

    const use = openai.getByRole('button', { name: 'Use this model: CLIP ViT-B/32 (OpenAI)' });
    await visible(use);
    await visible(openai.getByText('Installed', { exact: true }));
    await use.click();
    expect(fake.callsOf('settings.update')).toEqual([{ model: OPENAI }]);
    await poll(text(page.getByTestId('model-facts'))).toContain(OPENAI);
    await poll(text(page.getByTestId('model-facts'))).toContain('Hugging Face (transformers.js)');
    await visible(openai.getByText('In use', { exact: true }).first());
    await visible(item(page, LAION).getByRole('button', { name: 'Use this model: CLIP ViT-B/32 (LAION-2B)' }));
  });

  it('keeps focus on “Use this model” while the switch is saved, then hands it to “In use”, never to another model’s Download', async () => {
    const fake = readyFake();
    const dir = `/home/ada/.config/Lumen/models/${OPENAI}`;
    fake.install(OPENAI, dir, 512, 'hf');
    let release = (): void => {};
    fake.overrides['settings.update'] = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      fake.status.settings = { ...fake.status.settings, model: OPENAI };
      fake.status.model = { id: OPENAI, dir, dim: 512, layout: 'hf', providers: { image: 'cpu', text: 'cpu' } };
      return { ok: true, value: fake.status.settings };
    };
    const { page } = await open(fake);
    const openai = item(page, OPENAI);
    await pressTwice(openai.getByRole('button', { name: 'Use this model: CLIP ViT-B/32 (OpenAI)' }));
    expect(fake.callsOf('settings.update')).toHaveLength(1);
    release();
    await poll(() => hasFocus(openai.getByText('In use', { exact: true }))).toBe(true);
    expect(fake.callsOf('settings.update')).toHaveLength(1);
  });

  it('follows a model or provider chosen in another window (Note [Settings followed] in main/engine/engine.ts)', async () => {
    const fake = readyFake();
    fake.install(OPENAI, `/home/ada/.config/Lumen/models/${OPENAI}`, 512, 'hf');
    const a = await open(fake);
    const b = await openApp(renderer.browser, renderer.origin, fake, { hash: '#/settings' });
    await poll(text(a.page.getByTestId('image-provider'))).toBe('WebGPU');
    /** As the engine does, a change saved in B is said to every window. */
    const savedInB = async (saves: number) => {
      await poll(() => fake.callsOf('settings.update').length).toBe(saves);
      for (const each of [a, b]) await each.emit({ type: 'settings-changed' });
    };

    await b.page.getByLabel('Run models on').selectOption('cpu');
    await savedInB(1);
    await poll(text(a.page.getByTestId('image-provider'))).toBe('CPU');
    await value(a.page.getByLabel('Run models on')).toBe('cpu');
    await b.page.getByRole('button', { name: 'Use this model: CLIP ViT-B/32 (OpenAI)' }).click();
    await savedInB(2);
    await poll(text(a.page.getByTestId('model-facts'))).toContain(OPENAI);
    await visible(item(a.page, OPENAI).getByText('In use', { exact: true }).first());
    await b.close();
    expect(b.problems).toEqual([]);
  });

  it('changing the provider saves it and refreshes the status; a refusal is shown and undone; one not available here is not offered', async () => {
    const fake = readyFake();
    const { page } = await open(fake);
    await poll(text(page.getByTestId('image-provider'))).toBe('WebGPU');
    const select = page.getByLabel('Run models on');
    expect(await select.locator('option:disabled').allTextContents()).toEqual(['DirectML (Windows GPUs), not available here', 'Core ML (Apple), not available here', 'CUDA (NVIDIA GPUs), not available here'].map((label) => expect.stringContaining(label)));
    await select.selectOption('cpu');
    await poll(text(page.getByTestId('image-provider'))).toBe('CPU');
    expect(fake.callsOf('settings.update')).toEqual([{ provider: 'cpu' }]);
    await value(select).toBe('cpu');

    fake.overrides['settings.update'] = () => ({ ok: false, error: { code: 'bad-input', message: 'WebGPU could not start on this computer. Choose Automatic or CPU.' } });
    await select.selectOption('webgpu');
    await poll(text(page.getByRole('alert'))).toBe('WebGPU could not start on this computer. Choose Automatic or CPU.');
    await value(select).toBe('cpu');

    // The arrow keys change a closed select at once: each choice is saved, and focus stays on it
    // while one saves (slowly here, as a model's sessions close).
    fake.overrides['settings.update'] = (async ({ provider }: { provider: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      fake.status.settings = { ...fake.status.settings, provider };
      return { ok: true, value: structuredClone(fake.status.settings) };
    }) as never;
    await select.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await poll(() => fake.callsOf('settings.update').length).toBe(4);
    await poll(() => select.evaluate((element) => element === document.activeElement)).toBe(true);
    await value(select).toBe('auto');
  });

  it('keyboard: Ctrl+, opens settings, ? lists the shortcuts, Escape closes them', async () => {
    const fake = readyFake();
    const { page } = await open(fake, { hash: '' });
    await attribute(page.getByRole('link', { name: 'Library' }), 'aria-current').toBe('page');
    const heading = page.getByRole('heading', { level: 1, name: 'Settings' });

    await page.keyboard.press('Control+,');
    await visible(heading);
    expect(new URL(page.url()).hash).toBe('#/settings');
    await attribute(page.getByRole('link', { name: 'Settings' }), 'aria-current').toBe('page');

    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await visible(dialog);
    await poll(text(dialog.getByRole('row', { name: /Open settings/ }))).toContain('Ctrl+,');
    // The grid's own keys and clicks are listed too.
    await poll(text(dialog.getByRole('row', { name: /first or the last photo/ }))).toContain('Home End');
    await poll(text(dialog.getByRole('row', { name: /Add a photo to the selection/ }))).toContain('Ctrl+click Shift+click');
    await poll(text(dialog.getByRole('row', { name: /a screen up or down/ }))).toContain('PageUp PageDown');
    // Only keys in the key chips, each chip one key or combination; when it applies is in the description.
    const chips = await dialog.locator('kbd').allTextContents();
    expect(chips.filter((chip) => !/^(?:(?:Ctrl|Shift|Alt)\+)?(?:[←→↑↓](?: [←→↑↓])*|Home|End|PageUp|PageDown|Enter|Space|Tab|Esc|click|[A-Z0-9?/,+−])$/.test(chip))).toEqual([]);
    const searchBox = dialog.getByRole('row', { name: /search box/ });
    await poll(() => searchBox.locator('kbd').allTextContents()).toEqual(['↓']);
    await poll(text(searchBox.getByRole('cell'))).toBe('In the search box: go to the photos shown');
    const zoomedIn = dialog.getByRole('row', { name: /Zoomed in/ });
    await poll(() => zoomedIn.locator('kbd').allTextContents()).toEqual(['←', '→', '↑', '↓']);
    await poll(text(zoomedIn.getByRole('cell'))).toBe('Zoomed in: move around the photo (also dragging it)');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
    await visible(heading);

    // A shortcut to another screen closes the panel first: it does not change the page behind it.
    await page.keyboard.press('?');
    await visible(dialog);
    await page.keyboard.press('Control+1');
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
    await attribute(page.getByRole('link', { name: 'Library' }), 'aria-current').toBe('page');
    await page.keyboard.press('Control+,');
    await visible(heading);

    // Search from another screen goes to the library with the cursor in the box, not on its title.
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    for (const key of ['Control+k', '/']) {
      await page.keyboard.press('Control+,');
      await visible(heading);
      await page.keyboard.press(key);
      await attribute(page.getByRole('link', { name: 'Library' }), 'aria-current').toBe('page');
      await page.waitForTimeout(100);
      await poll(() => box.evaluate((input) => input === document.activeElement)).toBe(true);
    }
    // From the open panel too, which it closes first.
    for (const key of ['Control+k', '/']) {
      await page.keyboard.press('Control+,');
      await visible(heading);
      await box.evaluate((input) => input.blur());
      await page.keyboard.press('?');
      await visible(dialog);
      await page.keyboard.press(key);
      await dialog.waitFor({ state: 'hidden', timeout: 5000 });
      await page.waitForTimeout(100);
      await poll(() => box.evaluate((input) => input === document.activeElement)).toBe(true);
    }
  });

  it('keeps the shortcuts’ title and Close in place on a small window while the list scrolls under them', async () => {
    const { page } = await open(readyFake(), { hash: '' });
    await page.setViewportSize({ width: 500, height: 800 });
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await page.keyboard.press('?');
    await visible(dialog);
    const close = dialog.getByRole('button', { name: 'Close' });
    await poll(() => close.evaluate((element) => element === document.activeElement)).toBe(true);
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'PageDown']) await page.keyboard.press(key);
    // The list did scroll (else this would prove nothing)…
    await poll(() => dialog.evaluate((element) => element.scrollTop)).toBeGreaterThan(100);
    // …and the title and Close are still on screen, on top of the rows scrolled under them.
    for (const locator of [close, dialog.getByRole('heading', { name: 'Keyboard shortcuts' })]) {
      const box = (await locator.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(800);
      const onTop = await locator.evaluate((element, [x, y]) => element.contains(document.elementFromPoint(x!, y!)), [box.x + box.width / 2, box.y + box.height / 2]);
      expect(onTop).toBe(true);
    }
  });

  it('keeps the shortcuts open when asked for again before the browser has said the last ones closed', async () => {
    const { page } = await open(readyFake(), { hash: '' });
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await page.keyboard.press('?');
    await visible(dialog);
    // Escape, then ? within the same task: the dialog's "close" event, queued by the first, comes after the second.
    await page.evaluate(async () => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      for (let i = 0; i < 10; i++) await Promise.resolve();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
      for (let i = 0; i < 10; i++) await Promise.resolve();
    });
    await page.waitForTimeout(200);
    expect(await dialog.isVisible()).toBe(true);
  });

  it('follows the system dark theme', async () => {
    const fake = readyFake();
    fake.listing.downloading = [MULTI];
    const { page, emit } = await open(fake, { hash: '#/settings', colorScheme: 'dark' });
    await emit(downloadJob(MULTI, 'running', progress(1029 * MB, 1470 * MB, { fileIndex: 3, fileCount: 6, file: 'textual/model.onnx', etaSeconds: 95 })));
    await attribute(item(page, MULTI).getByRole('progressbar'), 'value').toBe('70');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(21, 22, 26)');
    await page.screenshot({ path: '/tmp/lumen-settings-dark.png', fullPage: true });
  });
});

/** A library of ten photos, two of which could not be indexed. */
function withLibrary(fake: FakeLumen): FakeLumen {
  fake.status.library = {
    photos: 10,
    images: 10,
    failed: 2,
    folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [] }],
    servingModel: LAION,
    models: [{ model: LAION, embedded: 10, missing: 0 }],
    unfinishedRun: false,
    index: { model: LAION, health: 'ready', vectors: 10, embeddings: 10 },
    lastBackupAt: null,
  };
  return fake;
}

/** The focused element's accessible name and description, as Chromium gives them to a screen reader. */
async function focusedDescription(page: AppPage['page']): Promise<{ name: string; description: string }> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  const focused = nodes.find((node) => node.role?.value !== 'RootWebArea' && node.properties?.some((property) => property.name === 'focused' && property.value.value === true));
  return { name: focused?.name?.value ?? '', description: focused?.description?.value ?? '' };
}

describe('Settings: photo folders, and an index run that stopped by itself', () => {
  it('removes a folder only when asked twice: Keep takes the question back and focus follows it', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.removeFolder'] = () => {
      fake.status.library = { ...fake.status.library!, folders: [] };
      return { ok: true, value: { removed: true } };
    };
    const { page } = await open(fake);
    const ask = page.getByRole('button', { name: 'Remove /home/ada/Pictures' });
    await ask.click();
    await visible(page.getByText('Remove from the library? Lumen forgets its photos, with their tags, your verdicts and their places in saved albums; the files stay where they are.'));
    const keep = page.getByRole('button', { name: 'Keep', exact: true });
    await poll(() => keep.evaluate((button) => button === document.activeElement)).toBe(true);
    // Focus on either answer reads the question out (AskTwice): not "Keep, button" alone.
    const question = 'Remove from the library? Lumen forgets its photos, with their tags, your verdicts and their places in saved albums; the files stay where they are.';
    expect(await focusedDescription(page)).toEqual({ name: 'Keep', description: question });
    await page.keyboard.press('Shift+Tab');
    expect(await focusedDescription(page)).toEqual({ name: 'Remove', description: question });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(() => ask.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(fake.callsOf('library.removeFolder')).toEqual([]);

    await ask.click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await poll(() => fake.callsOf('library.removeFolder')).toEqual([{ folderId: 1 }]);
    await visible(page.getByText('Removed /home/ada/Pictures from the library. Its files were not touched.'));
    await count(page.getByRole('button', { name: 'Remove /home/ada/Pictures' })).toBe(0);
  });

  it('closes a folder’s Exclusions with Escape, unsaved, and hands focus back to its button', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page } = await open(fake);
    const exclusions = page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true });
    const field = page.getByLabel(/^Leave out/);
    await exclusions.click();
    await field.fill('*.gif');
    await page.keyboard.press('Escape');
    await count(field).toBe(0);
    expect(await exclusions.getAttribute('aria-expanded')).toBe('false');
    await poll(() => hasFocus(exclusions)).toBe(true);
    // From its own button too, while it is open.
    await page.keyboard.press('Enter');
    await visible(field);
    await exclusions.focus();
    await page.keyboard.press('Escape');
    await count(field).toBe(0);
    await poll(() => hasFocus(exclusions)).toBe(true);
    expect(fake.callsOf('library.setExcludes')).toEqual([]);
  });

  it('opens a folder’s Exclusions with the cursor in its patterns, Tab going on to Save exclusions, not to Remove', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page } = await open(fake);
    const exclusions = page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true });
    await exclusions.focus();
    await page.keyboard.press('Enter');
    await poll(() => hasFocus(page.getByLabel(/^Leave out/))).toBe(true);
    await page.keyboard.press('Tab');
    await poll(() => hasFocus(page.getByRole('button', { name: 'Save exclusions' }))).toBe(true);
  });

  it('lists the files that could not be indexed, with why and where, and tries them again, saying how it went', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({
      ok: true,
      value: [
        { path: '/home/ada/Pictures/locked.jpg', name: 'locked.jpg', reason: 'unreadable', message: 'locked.jpg could not be read: permission denied.' },
        { path: '/home/ada/Pictures/pipe.jpg', name: 'pipe.jpg', reason: 'not-a-file', message: 'pipe.jpg is a pipe (FIFO), not a photo file; it was skipped.' },
        { path: '/home/ada/Pictures/cut.jpg', name: 'cut.jpg', reason: 'truncated', message: 'cut.jpg is truncated (an incomplete copy or download?).', detail: 'VipsJpeg: premature end of JPEG image' },
      ],
    });
    fake.status.library = { ...fake.status.library!, failed: 3 };
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-2' } });
    const { page, emit } = await open(fake);
    await visible(page.getByRole('heading', { name: 'Files that could not be indexed: 3' }));
    // Listed at once, each name once, then in which folder and why; the decoder's own words only as a tooltip (Note [Decoder's words apart]).
    const failed = page.getByRole('list', { name: 'Files that could not be indexed' });
    await poll(async () => (await failed.getByRole('listitem').allTextContents()).map((item) => item.replace(/\s+/g, ' ').trim())).toEqual([
      'locked.jpg in /home/ada/Pictures could not be read: permission denied.',
      'pipe.jpg in /home/ada/Pictures is a pipe (FIFO), not a photo file; it was skipped.',
      'cut.jpg in /home/ada/Pictures is truncated (an incomplete copy or download?).',
    ]);
    await attribute(failed.getByText('is truncated (an incomplete copy or download?).'), 'title').toBe('Details: VipsJpeg: premature end of JPEG image');
    await attribute(failed.getByText('could not be read: permission denied.'), 'title').toBe(null);
    const listed = fake.callsOf('library.failures').length;
    await page.getByRole('button', { name: 'Try them again' }).click();
    await poll(() => fake.callsOf('library.index')).toEqual([{ retryFailed: true }]);
    await visible(page.getByText('Trying the failed files again…'));
    // The notice lasts as long as the run; its end reads the list again.
    const job = { id: 'index-2', kind: 'index' as const, subject: null, error: null, background: false, progress: null };
    await emit({ type: 'job', job: { ...job, state: 'running' } });
    await page.waitForTimeout(200);
    await visible(page.getByText('Trying the failed files again…'));
    await emit({ type: 'job', job: { ...job, state: 'done', progress: { phase: 'indexing', found: 2, processed: 2, toProcess: 2, embedded: 1, failed: 1, indexed: 1, removed: 0, imagesPerSecond: 1, etaSeconds: null } } });
    await page.getByText('Trying the failed files again…').waitFor({ state: 'detached' });
    const stillFailing = page.getByText('Tried again: 1 file still could not be indexed.');
    await visible(stillFailing);
    // Not all went well: a warning, not in the success colour.
    await poll(() => colourOf(stillFailing)).toBe(await colourOfVariable(page, '--warn'));
    await poll(() => fake.callsOf('library.failures').length).toBe(listed + 1);
    // None failing any more (tried again, or their folder excluded): the heading says none, not "0" over nothing.
    fake.status.library = { ...fake.status.library!, failed: 0 };
    await emit({ type: 'library-changed' });
    await visible(page.getByRole('heading', { name: 'Files that could not be indexed: none' }));
    expect(await page.getByRole('button', { name: 'Try them again' }).count()).toBe(0);
  });

  it('draws a long list of failed files a part at a time, as asked, focus at its end once all are shown', async () => {
    const fake = withLibrary(readyFake());
    const heic = (i: number) => ({ path: `/home/ada/Pictures/IMG_${1000 + i}.HEIC`, name: `IMG_${1000 + i}.HEIC`, reason: 'unsupported', message: `IMG_${1000 + i}.HEIC is a HEIC photo, which this build cannot decode.` });
    fake.overrides['library.failures'] = () => ({ ok: true, value: Array.from({ length: 450 }, (_, i) => heic(i)) });
    fake.status.library = { ...fake.status.library!, failed: 450 };
    const { page } = await open(fake);
    const items = page.getByRole('list', { name: 'Files that could not be indexed' }).getByRole('listitem');
    await poll(() => items.count()).toBe(200);
    await page.getByRole('button', { name: 'Show 200 more of 450 files' }).click();
    await poll(() => items.count()).toBe(400);
    const last = page.getByRole('button', { name: 'Show 50 more of 450 files' });
    await last.focus();
    await page.keyboard.press('Enter');
    await poll(() => items.count()).toBe(450);
    await count(page.getByRole('button', { name: /^Show \d+ more/ })).toBe(0);
    // Focus stays at the list's end, not on "Try them again", which the next Enter would press.
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('All 450 files shown.');
    expect(await items.last().textContent()).toContain('IMG_1449.HEIC');
  });

  it('brings the list of failed files into view from the header’s "See why"', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [{ path: '/home/ada/Pictures/broken.jpg', name: 'broken.jpg', reason: 'not-an-image', message: 'broken.jpg is not an image.' }] });
    const { page, emit } = await open(fake, { hash: '#/library' });
    const progress = { phase: 'indexing' as const, found: 3, processed: 3, toProcess: 3, embedded: 2, failed: 1, indexed: 2, removed: 0, imagesPerSecond: 1, etaSeconds: null };
    await emit({ type: 'job', job: { id: 'index-3', kind: 'index', subject: null, error: null, background: false, state: 'done', progress } });
    // In a small window too, the link comes with what it is about.
    await page.setViewportSize({ width: 700, height: 600 });
    await visible(page.getByRole('status', { name: 'Indexing' }).getByText('1 file could not be indexed.'));
    await page.getByRole('status', { name: 'Indexing' }).getByRole('link', { name: 'See why' }).click();
    const heading = page.getByRole('heading', { name: 'Files that could not be indexed: 2' });
    await poll(() => heading.evaluate((element) => element === document.activeElement)).toBe(true);
    await visible(page.getByRole('list', { name: 'Files that could not be indexed' }).getByText('broken.jpg'));
    // Once: the list read again (a retry ended) leaves focus where the person put it.
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-5' } });
    const retry = page.getByRole('button', { name: 'Try them again' });
    await retry.click();
    const listed = fake.callsOf('library.failures').length;
    await emit({ type: 'job', job: { id: 'index-5', kind: 'index', subject: null, error: null, background: false, state: 'done', progress } });
    await poll(() => fake.callsOf('library.failures').length).toBeGreaterThan(listed);
    await page.waitForTimeout(200);
    expect(await heading.evaluate((element) => element === document.activeElement)).toBe(false);
  });

  it('re-scans when exclusions are saved, and says how the re-scan went', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.setExcludes'] = (({ excludes }: { excludes: string[] }) => ({ ok: true, value: { ...fake.status.library!.folders[0]!, excludes } })) as never;
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-4' } });
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page, emit } = await open(fake);
    // What the folders say goes to a status region that stands before it speaks and only changes its text: one
    // that arrives holding its text is not read by every screen reader (Note [Status regions stay]).
    const said = page.getByRole('region', { name: 'Photo folders' }).getByRole('status');
    await poll(text(said)).toBe('');
    await said.evaluate((element) => element.setAttribute('data-test-stood', ''));
    await page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true }).click();
    await page.getByLabel(/^Leave out/).fill('**/Screenshots/**');
    await page.getByRole('button', { name: 'Save exclusions' }).click();
    await poll(() => fake.callsOf('library.setExcludes')).toEqual([{ folderId: 1, excludes: ['**/Screenshots/**'] }]);
    await poll(() => fake.callsOf('library.index')).toEqual([{ retryFailed: false }]);
    await visible(page.getByText('Saved. Re-scanning, to leave those files out…'));
    expect(await text(said)()).toBe('Saved. Re-scanning, to leave those files out…');
    const job = { id: 'index-4', kind: 'index' as const, subject: null, error: null, background: false };
    await emit({ type: 'job', job: { ...job, state: 'running', progress: null } });
    await emit({ type: 'job', job: { ...job, state: 'done', progress: { phase: 'finishing', found: 9, processed: 9, toProcess: 9, embedded: 0, failed: 0, indexed: 0, removed: 13, imagesPerSecond: 0, etaSeconds: null } } });
    await visible(page.getByText('Re-scan done: 13 photos left the library.'));
    await poll(() => colourOf(page.getByText('Re-scan done: 13 photos left the library.'))).toBe(await colourOfVariable(page, '--ok'));
    expect(await text(said)()).toBe('Re-scan done: 13 photos left the library.');
    expect(await said.getAttribute('data-test-stood')).toBe('');
  });

  it('says under a folder looked over rather than watched why, once the engine finds it (Note [Looked over where not watched])', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page, emit } = await open(fake);
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await folders.getByText('/home/ada/Pictures', { exact: true }).waitFor();
    const why = 'Not every folder here can be watched for changes: it is on a network share, whose changes made elsewhere are not reported. Lumen looks here for new photos every 10 minutes instead.';
    expect(await folders.getByText(why).count()).toBe(0);
    fake.status.library = { ...fake.status.library!, folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [], lookedOver: why }] };
    await emit({ type: 'library-changed' });
    await visible(folders.getByRole('listitem').filter({ hasText: '/home/ada/Pictures' }).getByText(why));
  });

  it('counts the text read in the library as it is now: none once its last folder is removed', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.textStatus'] = () => ({ ok: true, value: { read: 4, withText: 4, skipped: 39, failed: 0 } });
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page, emit } = await open(fake);
    const counts = page.getByTestId('text-counts');
    await poll(text(counts)).toBe('4 photos read, 4 with text, 39 skipped by the quick look.');
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0, failed: 0, folders: [] };
    await emit({ type: 'library-changed' });
    await count(counts).toBe(0);
  });

  it('says the reading of every photo it started is under way until it ends, not again once its failure is dismissed', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.readText'] = () => ({ ok: true, value: { jobId: 'ocr-1' } });
    const { page, emit } = await open(fake);
    const job = { id: 'ocr-1', kind: 'ocr' as const, subject: null, background: false, progress: null };
    const card = page.getByRole('region', { name: 'Text in photos' });
    await card.getByRole('button', { name: 'Read every photo' }).click();
    await emit({ type: 'job', job: { ...job, state: 'running', error: null } });
    await card.getByText('Reading every photo.').waitFor();
    await emit({ type: 'job', job: { ...job, state: 'failed', error: 'The text model is missing: download it again.' } });
    await card.getByText('Reading every photo.').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.waitForTimeout(300);
    expect(await card.getByText('Reading every photo.').count()).toBe(0);
  });

  it.each([
    [{ total: 0, done: 0, read: 0, withText: 0, skipped: 0, failed: 0 }, 'Nothing new to read: every photo has been read or looked at.'],
    [{ total: 9, done: 9, read: 5, withText: 3, skipped: 3, failed: 1 }, 'Read 5 photos, 3 with text, 3 skipped by the quick look, 1 could not be read.'],
  ])('says what the reading it started did as it ends well (%#)', async (progress, said) => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.readText'] = () => ({ ok: true, value: { jobId: 'ocr-2' } });
    const { page, emit } = await open(fake);
    const job = { id: 'ocr-2', kind: 'ocr' as const, subject: null, background: false, error: null };
    const card = page.getByRole('region', { name: 'Text in photos' });
    await card.getByRole('button', { name: 'Read text in photos' }).click();
    await card.getByText('Reading the photos not read yet.').waitFor();
    await emit({ type: 'job', job: { ...job, state: 'done', progress: { ...progress, perSecond: 0, etaSeconds: null } } });
    await card.getByRole('status').getByText(said, { exact: true }).waitFor();
  });

  it('says what a cancelled index run left, offers to index the rest, and says how many photos that indexed', async () => {
    const fake = withLibrary(readyFake());
    // Slow to answer: a second press meanwhile asks nothing more.
    fake.overrides['library.index'] = () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, value: { jobId: 'index-7' } }), 300));
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page, emit } = await open(fake);
    const progress = (processed: number, toProcess: number, failed = 0) => ({ phase: 'indexing' as const, found: 126, processed, toProcess, embedded: processed - failed, failed, indexed: processed - failed, removed: 0, imagesPerSecond: 0, etaSeconds: null });
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit({ type: 'job', job: { id: 'index-5', kind: 'index', subject: null, error: null, background: false, state: 'cancelled', progress: { ...progress(0, 0), phase: 'scanning' } } });
    await poll(text(row)).toContain('Indexing cancelled while looking for photos.');
    await emit({ type: 'job', job: { id: 'index-6', kind: 'index', subject: null, error: null, background: false, state: 'cancelled', progress: progress(53, 126, 1) } });
    await poll(text(row)).toContain('Indexing cancelled: 52 of 126 files indexed.');
    await row.getByRole('button', { name: 'Index the rest' }).dblclick();
    await poll(() => fake.callsOf('library.index')).toEqual([{ retryFailed: false }]);
    await poll(() => row.count()).toBe(0);
    // The re-scan Settings starts says how many photos it indexed.
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-8' } });
    await page.getByRole('button', { name: 'Re-scan now' }).click();
    const job = { id: 'index-8', kind: 'index' as const, subject: null, error: null, background: false };
    await emit({ type: 'job', job: { ...job, state: 'running', progress: null } });
    await emit({ type: 'job', job: { ...job, state: 'done', progress: progress(74, 74, 1) } });
    await visible(page.getByText('Re-scan done: 73 photos indexed; 1 file could not be indexed.'));
  });

  it('shows an index run paused by a full disk with the reason, and resumes it', async () => {
    const fake = withLibrary(readyFake());
    const reason = 'The disk holding the library is full: 390 photos indexed and kept; free some space and run again.';
    const indexProgress = { phase: 'indexing' as const, found: 3000, processed: 390, toProcess: 3000, embedded: 390, failed: 0, indexed: 390, removed: 0, imagesPerSecond: 0, etaSeconds: null };
    const paused = { id: 'index-1', kind: 'index' as const, subject: null, state: 'paused' as const, error: reason, background: false, progress: indexProgress };
    fake.overrides['jobs.resume'] = () => ({ ok: true, value: { ...paused, state: 'running', error: null } });
    const { page, emit } = await open(fake);
    await emit({ type: 'job', job: paused });
    const status = page.getByRole('status', { name: 'Indexing' });
    await poll(text(status)).toBe(`Indexing paused: ${reason} Resume Cancel`);
    await status.getByRole('button', { name: 'Resume' }).click();
    await poll(() => fake.callsOf('jobs.resume')).toEqual([{ jobId: 'index-1' }]);
    await visible(status.getByRole('progressbar', { name: 'Indexing progress' }));
    await poll(text(status)).toMatch(/^Indexing 390 of 3,000 files Pause Cancel$/);
  });
});

/** Holds back the answer to a call until `release`: what asked for it stays busy meanwhile. */
function held<N extends CallName>(fake: FakeLumen, name: N, answer: CallOutcome<N>): { release: () => void } {
  let answerNow = (): void => {};
  fake.overrides[name] = () => new Promise((resolve) => (answerNow = () => resolve(answer as CallOutcome<CallName>)));
  return { release: () => answerNow() };
}

/** Whether focus is on `locator`'s element. */
const hasFocus = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

/**
 * Presses `button` from the keyboard, and again once it is busy (`begin` makes it so, where a
 * held answer does not): it keeps focus and says it is busy meanwhile.
 */
async function pressTwice(button: Locator, begin?: () => Promise<void>): Promise<void> {
  const page = button.page();
  await button.focus();
  await page.keyboard.press('Enter');
  await begin?.();
  await attribute(button, 'aria-disabled').toBe('true');
  // A disabled button loses focus at the next frame, and the page hands it on a task later (Note [Focus kept]).
  await page.waitForTimeout(100);
  expect(await hasFocus(button)).toBe(true);
  await page.keyboard.press('Enter');
}

/**
 * `pressTwice`, then lets the work finish with `end`: the button still has focus, is no longer
 * busy, and the second press asked for nothing more (`asked`: the calls it made).
 */
async function pressWhileBusy(button: Locator, asked: () => unknown[], work: { begin?: () => Promise<void>; end: () => Promise<void> | void }): Promise<void> {
  await pressTwice(button, work.begin);
  await work.end();
  await attribute(button, 'aria-disabled').toBe('false');
  await button.page().waitForTimeout(100);
  expect(await hasFocus(button)).toBe(true);
  expect(asked()).toHaveLength(1);
}

describe('busy buttons keep the focus', () => {
  it.each([
    { hash: '#/library', region: 'Find your photos by describing them' },
    { hash: '#/settings', region: 'Model in use' },
    { hash: '#/settings', region: 'Installed models' },
  ])('imports a model folder: $region', async ({ hash, region }) => {
    const fake = emptyFake();
    const importing = held(fake, 'models.importFromDialog', { ok: true, value: null });
    const { page } = await open(fake, { hash });
    // Each says “Importing…” meanwhile.
    const button = page.getByRole('region', { name: region }).getByRole('button', { name: /^Import/ });
    await pressWhileBusy(button, () => fake.callsOf('models.importFromDialog'), { begin: () => expect.poll(() => button.textContent()).toMatch(/^\s*Importing…\s*$/), end: importing.release });
  });

  it.each([
    { where: 'on the first run', hash: '#/library', fake: readyFake },
    { where: 'in Settings, with no folder yet', hash: '#/settings', fake: readyFake },
    { where: 'in Settings, with a folder', hash: '#/settings', fake: () => withLibrary(readyFake()) },
  ])('adds a folder, none picked, $where', async ({ hash, fake: makeFake }) => {
    const fake = makeFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const adding = held(fake, 'library.addFromDialog', { ok: true, value: null });
    const { page } = await open(fake, { hash });
    await pressWhileBusy(page.getByRole('button', { name: 'Add a folder…' }), () => fake.callsOf('library.addFromDialog'), { end: adding.release });
  });

  it('re-scans, and tries the failed files again', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    let scanning = held(fake, 'library.index', { ok: true, value: { jobId: 'index-1' } });
    const { page, emit } = await open(fake);
    const done = { phase: 'indexing' as const, found: 2, processed: 2, toProcess: 2, embedded: 2, failed: 0, indexed: 2, removed: 0, imagesPerSecond: 1, etaSeconds: null };
    const run = async (id: string) => {
      const job = { id, kind: 'index' as const, subject: null, error: null, background: false };
      await emit({ type: 'job', job: { ...job, state: 'running', progress: null } });
      await emit({ type: 'job', job: { ...job, state: 'done', progress: done } });
    };
    await pressWhileBusy(page.getByRole('button', { name: 'Re-scan now' }), () => fake.callsOf('library.index'), { end: scanning.release });
    await run('index-1');

    // Trying again is busy until its run ends.
    scanning = held(fake, 'library.index', { ok: true, value: { jobId: 'index-2' } });
    await pressWhileBusy(page.getByRole('button', { name: 'Try them again' }), () => fake.callsOf('library.index').filter((call) => call.retryFailed), {
      end: async () => {
        scanning.release();
        await run('index-2');
      },
    });
  });

  it('keeps the exclusions typed for one folder while another folder’s are opened, and saves each folder’s own', async () => {
    const fake = withLibrary(readyFake());
    fake.status.library = { ...fake.status.library!, folders: [{ id: 1, path: '/home/ada/Pictures', excludes: [] }, { id: 2, path: '/media/card/DCIM', excludes: ['*.gif'] }] };
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-1' } });
    fake.overrides['library.setExcludes'] = ({ folderId, excludes }) => ({ ok: true, value: { ...fake.status.library!.folders[folderId - 1]!, excludes } });
    const { page } = await open(fake);
    await page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true }).click();
    const pictures = page.locator('#excludes-1');
    await pictures.fill('**/Screenshots/**');
    await page.getByRole('button', { name: 'Exclusions for /media/card/DCIM', exact: true }).click();
    const card = page.locator('#excludes-2');
    await visible(card);
    expect(await card.inputValue()).toBe('*.gif');
    expect(await pictures.inputValue()).toBe('**/Screenshots/**');
    await page.getByRole('button', { name: 'Save exclusions' }).first().click();
    await poll(() => fake.callsOf('library.setExcludes')).toEqual([{ folderId: 1, excludes: ['**/Screenshots/**'] }]);
    await count(pictures).toBe(0);
    expect(await card.inputValue()).toBe('*.gif');
  });

  it('saves exclusions, then hands focus back to the folder’s Exclusions button as the editor closes', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-1' } });
    const saving = held(fake, 'library.setExcludes', { ok: true, value: { ...fake.status.library!.folders[0]!, excludes: ['*.gif'] } });
    const { page } = await open(fake);
    const exclusions = page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true });
    await exclusions.click();
    await page.getByLabel(/^Leave out/).fill('*.gif');
    const save = page.getByRole('button', { name: 'Save exclusions' });
    await pressTwice(save);
    saving.release();
    await count(save).toBe(0);
    await poll(() => hasFocus(exclusions)).toBe(true);
    expect(fake.callsOf('library.setExcludes')).toHaveLength(1);
  });

  it('reads every photo', async () => {
    const fake = withLibrary(readyFake());
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.readText'] = () => ({ ok: true, value: { jobId: 'ocr-1' } });
    const { page, emit } = await open(fake);
    const job = { id: 'ocr-1', kind: 'ocr' as const, subject: null, error: null, background: false, progress: null };
    await pressWhileBusy(page.getByRole('button', { name: 'Read every photo' }), () => fake.callsOf('library.readText'), {
      begin: () => emit({ type: 'job', job: { ...job, state: 'running' } }),
      end: () => emit({ type: 'job', job: { ...job, state: 'done' } }),
    });
  });
});
