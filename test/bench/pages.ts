/**
 * Every page of a broad search, as Ctrl/Cmd+A loads them (Note [Later pages] in
 * main/search/later-pages.ts): cut from the ranking the first page was cut from, against each
 * page ranked anew (a search of its own per page, as every page was before), in one run, on a
 * synthetic library. Ranked anew, page k ranks k pages of candidates: that walk stops at a time
 * budget and says how far it got.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import { appendPage, largestPage, nextPage } from '../../renderer/src/lib/result-pages.js';
import { MAX_PAGE_SIZE } from '../../main/search/page-limit.js';
import { percentile } from './search.js';
import { syntheticDatabase } from './synthetic.js';

type Log = (message: string) => void;

/** Walks the pages of the photos like photo 1 without the cutoff, each from `searcher()`, until all are shown or `budgetMs` is spent. */
async function walk(searcher: () => PhotoSearch, budgetMs: number): Promise<{ shown: number; total: number; pages: number; seconds: number; pageMs: number[] }> {
  const started = performance.now();
  const options = { showAll: true, count: false } as const;
  let page = await searcher().similar(1, { ...options, limit: 100 });
  let shown = page.results.map((hit) => ({ id: hit.photoId }));
  let fetched = shown.length;
  const pageMs: number[] = [];
  while (fetched < page.total && performance.now() - started < budgetMs) {
    const { offset, limit } = nextPage(fetched, largestPage(MAX_PAGE_SIZE));
    const asked = performance.now();
    page = await searcher().similar(1, { ...options, offset, limit });
    pageMs.push(performance.now() - asked);
    shown = appendPage(shown, page.results.map((hit) => ({ id: hit.photoId })));
    fetched = offset + page.results.length;
  }
  return { shown: shown.length, total: page.total, pages: pageMs.length + 1, seconds: (performance.now() - started) / 1000, pageMs };
}

export async function everyPage(model: ClipModel, dataRoot: string, count: number, budgetMs: number, log: Log) {
  const dataDir = path.join(dataRoot, `synthetic-pages-${count}`);
  await syntheticDatabase(dataDir, count, model.dim, model.id, log);
  const library = Library.open(dataDir);
  try {
    await (await library.vectorIndex(model.id, model.dim)).ready();
    const kept = new PhotoSearch(library, model);
    const report = (name: string, result: Awaited<ReturnType<typeof walk>>) => {
      const p50 = percentile(result.pageMs, 0.5);
      const last = result.pageMs.at(-1) ?? 0;
      log(`${name}: ${result.shown} of ${count} photos in ${result.pages} pages, ${result.seconds.toFixed(1)} s (a page p50 ${p50.toFixed(0)} ms, the last ${last.toFixed(0)} ms)`);
      return { ...result, pageMs: undefined, pageP50Ms: p50, lastPageMs: last };
    };
    const fromKept = report('cut from the ranking kept', await walk(() => kept, Number.POSITIVE_INFINITY));
    const anew = report(`ranked anew each page (stopped after ${budgetMs / 1000} s)`, await walk(() => new PhotoSearch(library, model), budgetMs));
    return { photos: count, dim: model.dim, fromKept, anew };
  } finally {
    await library.close();
  }
}
