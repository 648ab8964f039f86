/**
 * The desktop app's own figures, in preview mode (the real renderer in Chromium, the real engine
 * process, the same handler table as Electron's main process):
 * - search round trips, from the renderer's call to the results on screen, while indexing runs;
 * - the time from launch (the built engine process, as the app runs it, and the page started) to
 *   the first photos and the first search results on screen, with a 100k-photo library the app
 *   has opened before: the median of five launches;
 * - the template editor's live preview at 100k photos and 100 tags, each keystroke's new prompt
 *   embedded by the text model on the CPU (timed apart from the rest of the preview's work).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser, Page } from 'playwright-core';
import { forkEngine } from '../../main/app/preview-engine.js';
import { previewShell, startPreview } from '../../main/app/preview.js';
import { readTowerStarts } from '../../main/app/huge-pages.js';
import { readTextTowerHint } from '../../main/app/text-tower-hint.js';
import { Engine } from '../../main/engine/engine.js';
import { ClipModel } from '../../main/models/clip.js';
import { parseVocabulary, promptTexts } from '../../main/tags/vocabulary.js';
import { ROOT } from '../helpers/fixtures.js';
import { browserUiPages, buildRenderer, launchChromium } from '../renderer/harness.js';
import { syntheticLibrary, syntheticPhoto, variant } from './library.js';
import { tryHugePages } from './startup.js';

/** 12 MP and 6 MP photos indexed while searches run: enough for about a hundred searches, so that p99 is not just the worst. */
const INDEXED_PHOTOS = 800;
/**
 * Between two searches, as a person types and reads: longer than the moment background work
 * holds back after a search (Note [Searches first]), so each search finds indexing under way.
 */
const BETWEEN_SEARCHES_MS = 400;

type Log = (message: string) => void;

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] as number;

/** A 100k-photo library for `modelDir`, registered with synthetic embeddings, reused between runs. */
async function benchLibrary(root: string, modelDir: string, count: number, log: Log): Promise<string> {
  const model = await ClipModel.load(modelDir, { provider: 'cpu' });
  const { library } = await syntheticLibrary(root, count, model.dim, model.id, log);
  library.storage.library.setMeta(`model_dir:${model.id}`, modelDir);
  const vectors = await library.vectorIndex(model.id, model.dim);
  await vectors.ready();
  await library.close();
  await model.dispose();
  return path.join(root, 'data');
}

/**
 * The app has run on this library before, as on every launch but the very first: an engine
 * session that stays until its text tower has started leaves what the next launch reads (Note
 * [Text tower first] in main/app/engine-process.ts), and once there is a record, how long the
 * tower took to start (Note [Huge pages where they pay]).
 */
async function previousLaunch(dataDir: string): Promise<void> {
  const timed = () => JSON.stringify(readTowerStarts(dataDir));
  const before = readTextTowerHint(dataDir) ? timed() : null;
  const engine = forkEngine({ dataDir, resourcesDir: path.join(ROOT, 'resources') }, () => {}, () => {}, path.join(ROOT, 'out', 'main', 'engine-process.js'));
  try {
    const deadline = performance.now() + 60_000;
    while (!readTextTowerHint(dataDir) || (before !== null && timed() === before)) {
      if (performance.now() > deadline) throw new Error('The engine did not record its text tower within a minute.');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await engine.shutdown();
  }
}

/** Types a query and waits for its results on screen; returns the milliseconds in the page. */
async function timedSearch(page: Page, query: string): Promise<number> {
  return page.evaluate(async (text) => {
    const input = document.querySelector<HTMLInputElement>('input[type="search"]') as HTMLInputElement;
    const heading = () => document.querySelector('h1')?.textContent ?? '';
    const start = performance.now();
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await new Promise<void>((resolve) => {
      const check = () => (heading().includes(`“${text}”`) && document.querySelector('[role="listbox"] [role="option"]') ? resolve() : requestAnimationFrame(check));
      check();
    });
    return performance.now() - start;
  }, query);
}

/**
 * Launches the app once: the engine process and the page start together, as when the app opens
 * its window. Resolves once the first photos and then the first search results are on screen.
 */
async function launch(browser: Browser, rendererDir: string, dataDir: string) {
  const launched = performance.now();
  let server: Awaited<ReturnType<typeof startPreview>> | null = null;
  const progress = { indexed: 0 };
  const engine = forkEngine(
    { dataDir, resourcesDir: path.join(ROOT, 'resources') },
    (event) => {
      if (event.type === 'job' && event.job.kind === 'index') progress.indexed = (event.job.progress as { processed?: number } | null)?.processed ?? progress.indexed;
      server?.broadcast(event);
    },
    () => {},
    path.join(ROOT, 'out', 'main', 'engine-process.js'),
  );
  server = await startPreview({ rendererDir, engine, shell: previewShell([]), log: () => {} });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  // tsx keeps function names with a helper the page lacks; timedSearch's functions need it there.
  await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  await page.goto(server.url);
  await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor({ timeout: 60_000 });
  const firstPhotos = performance.now() - launched;
  const firstSearch = await timedSearch(page, 'a dog on the beach');
  const firstResults = performance.now() - launched;
  const browserUi = await browserUiPages(browser);
  if (browserUi.length > 0) throw new Error(`Chromium's own UI (${browserUi.join(', ')}) started beside the app's page, and this launch timed it too: see NO_BROWSER_UI in test/renderer/harness.ts.`);
  const close = async () => {
    await page.close();
    await (server as Awaited<ReturnType<typeof startPreview>>).close();
    await engine.shutdown();
  };
  return { firstPhotos, firstSearch, firstResults, engine, page, progress, close };
}

type Launched = Awaited<ReturnType<typeof launch>>;

/** Launches measured: one is noise on a shared two-core machine; the median is reported, and each. */
const LAUNCHES = 5;

export async function appFigures(modelDir: string, root: string, count: number, log: Log) {
  const dataDir = await benchLibrary(path.join(root, 'library'), modelDir, count, log);
  const renderer = await buildRenderer();
  log('building the app (electron-vite build): the engine process runs built, as in the app ...');
  execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const browser = await launchChromium();
  try {
    await previousLaunch(dataDir);
    await tryHugePages(dataDir, () => previousLaunch(dataDir), log);
    const launches: Launched[] = [];
    for (let i = 0; i < LAUNCHES; i++) {
      const app = await launch(browser, renderer.dir, dataDir);
      launches.push(app);
      log(`launch ${i + 1}: first photos on screen ${app.firstPhotos.toFixed(0)} ms, first search results ${app.firstResults.toFixed(0)} ms (the search itself ${app.firstSearch.toFixed(0)} ms, model load included)`);
      // The last stays open for the searches while indexing.
      if (i < LAUNCHES - 1) await app.close();
    }
    const median = (values: number[]) => percentile(values, 50);
    const firstPhotos = median(launches.map((each) => each.firstPhotos));
    const firstResults = median(launches.map((each) => each.firstResults));
    const firstSearch = median(launches.map((each) => each.firstSearch));
    log(`launch to first photos on screen ${firstPhotos.toFixed(0)} ms, to first search results ${firstResults.toFixed(0)} ms (medians of ${LAUNCHES} launches)`);
    const last = launches.at(-1) as Launched;
    const { engine, page, progress } = last;

    // Indexing at full speed in the same engine: 12 MP photos added to the library's folder.
    const folder = path.join(root, 'incoming');
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    const bases = await Promise.all(Array.from({ length: 4 }, (_, i) => syntheticPhoto(i, i % 2 ? 4000 : 3000, i % 2 ? 3000 : 2000)));
    for (let i = 0; i < INDEXED_PHOTOS; i++) await writeFile(path.join(folder, `IMG_${i}.jpg`), variant(bases[i % bases.length] as Buffer, i));
    await engine.call('library.addFolders', { paths: [folder] });
    const during: number[] = [];
    const queries = ['red car', 'mountain lake', 'birthday cake', 'city at night', 'cat on a sofa', 'snowy forest', 'beach umbrella', 'old bridge'];
    let indexing = true;
    const status = page.getByRole('status', { name: 'Indexing' });
    await status.waitFor({ timeout: 30_000 });
    // The indexer's own pace first, with nobody searching.
    const alone = { at: performance.now(), indexed: progress.indexed };
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const alonePerSecond = ((progress.indexed - alone.indexed) * 1000) / (performance.now() - alone.at);
    const searching = performance.now();
    const indexedBefore = progress.indexed;
    for (let i = 0; indexing && i < 400; i++) {
      during.push(await timedSearch(page, `${queries[i % queries.length]} ${i}`));
      await new Promise((resolve) => setTimeout(resolve, BETWEEN_SEARCHES_MS));
      indexing = (await status.count()) > 0;
    }
    const photosPerSecond = ((progress.indexed - indexedBefore) * 1000) / (performance.now() - searching);
    const worst = [...during].sort((a, b) => b - a).slice(0, 5);
    log(`search round trips while indexing: ${during.length} searches, p50 ${percentile(during, 50).toFixed(1)} ms, p99 ${percentile(during, 99).toFixed(1)} ms (the worst five ${worst.map((ms) => ms.toFixed(0)).join(', ')} ms); indexing went on at ${photosPerSecond.toFixed(1)} photos/s meanwhile (${alonePerSecond.toFixed(1)} photos/s alone just before)`);
    await last.close();
    return {
      photos: count,
      launchToFirstPhotosMs: firstPhotos,
      launchToFirstResultsMs: firstResults,
      firstSearchMs: firstSearch,
      launches: launches.map(({ firstPhotos: photos, firstResults: results, firstSearch: search }) => ({ firstPhotosMs: photos, firstResultsMs: results, firstSearchMs: search })),
      duringIndexing: { searches: during.length, p50Ms: percentile(during, 50), p99Ms: percentile(during, 99), photosPerSecond, alonePerSecond },
    };
  } finally {
    await browser.close();
    await renderer.dispose();
  }
}

/** Keystrokes timed by the preview bench: at 100, its p95 is the sixth-worst, not the second. */
const KEYSTROKES = 100;

export async function previewFigures(modelDir: string, root: string, count: number, tags: number, log: Log) {
  const dataDir = await benchLibrary(path.join(root, 'library'), modelDir, count, log);
  const engine = new Engine({ dataDir, model: modelDir, provider: 'cpu' });
  try {
    const words = ['dog', 'cat', 'beach', 'mountain', 'car', 'tree', 'boat', 'city', 'snow', 'flower'];
    const base = (await engine.vocabulary()).templates;
    const vocabulary = { templates: base, tags: Array.from({ length: tags }, (_, i) => ({ name: `tag ${i}`, prompts: [`${words[i % words.length]} ${i}`] })) };
    await engine.saveVocabulary(vocabulary);
    await engine.tagLibrary().done;
    const model = await engine.searchModel();
    let start = performance.now();
    await engine.previewTag(vocabulary, 'tag 0');
    const cold = performance.now() - start;
    const text: number[] = [];
    const rescore: number[] = [];
    for (let i = 0; i < KEYSTROKES; i++) {
      // A keystroke: the prompt of one tag changes, so its texts (one per template) are new to the
      // text model. Timed apart: the text model's share, then everything the preview adds to it.
      const draft = structuredClone(vocabulary);
      const edited = draft.tags[i % tags]!;
      edited.prompts = [`${words[i % words.length]} ${i} edited ${'x'.repeat(i % 7)}`];
      // The texts the preview embeds: its vocabulary as parsed (prompts trimmed), or the
      // text model's share would be paid twice on the keystrokes whose prompt ends in a space.
      const parsed = parseVocabulary(draft).tags[i % tags]!;
      start = performance.now();
      await model.embedTexts(promptTexts(parsed.prompts, base));
      text.push(performance.now() - start);
      start = performance.now();
      await engine.previewTag(draft, edited.name);
      rescore.push(performance.now() - start);
    }
    const keystroke = text.map((ms, i) => ms + (rescore[i] as number));
    const figures = (values: number[]) => ({ p50Ms: percentile(values, 50), p95Ms: percentile(values, 95) });
    const line = (values: number[]) => `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`;
    log(`live preview at ${count} photos x ${tags} tags (${base.length} templates), first ${cold.toFixed(0)} ms (loads the embeddings); per keystroke:`);
    log(`  whole: ${line(keystroke)}; the text model's ${base.length} new texts: ${line(text)}; the rest (cosines, softmax, verdicts, changes): ${line(rescore)}`);
    return { model: model.id, photos: count, tags, templates: base.length, firstMs: cold, keystroke: figures(keystroke), textModel: figures(text), rescore: figures(rescore) };
  } finally {
    await engine.dispose();
  }
}
