/**
 * Note [Tagging catches up] in main/engine/index-job.ts: the app, launched on a library whose
 * tagging was cut short by a quit, whose vocabulary was imported from the command line, or whose
 * photos `lumen index` indexed while it was closed, tags it by itself after the catch-up; launched
 * on a library tagged up to date, it starts no tagging.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { IMMICH_MODEL, SHAPES, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary, SHAPES_VOCABULARY, taggedWith } from '../helpers/library.js';

const LONG = { timeout: 60_000 };

describe('tagging at the app’s launch', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  const events: AppEvent[] = [];
  const engines: Engine[] = [];
  const dataDir = () => path.join(scratch.dir, 'data');
  const jobs = (kind: string): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === kind ? [event.job] : []));
  const autoTags = () => queryLibrary<string>(dataDir(), "SELECT DISTINCT tag FROM image_tags WHERE source = 'auto' ORDER BY tag");
  /** How far tagging got, and the last photo indexed. */
  const tagReach = () => ({ done: queryLibrary<number>(dataDir(), 'SELECT done_through FROM tag_state')[0], last: queryLibrary<number>(dataDir(), 'SELECT MAX(id) FROM images')[0] });
  const tagStates = () => queryLibrary<string>(dataDir(), 'SELECT model FROM tag_state');

  const made = (engine: Engine): Engine => {
    engines.push(engine);
    return engine;
  };
  /** The command line's engine, which never tags by itself. */
  const cli = (): Engine => made(new Engine({ dataDir: dataDir(), model: IMMICH_MODEL, provider: 'cpu' }));

  /** Launches the app, which catches up once its first screen is ready, and waits for the catch-up's run; `quitWhileTagging` cancels tagging as it starts. */
  async function launch(options: { quitWhileTagging?: boolean } = {}): Promise<Engine> {
    events.length = 0;
    const app: Engine = made(
      new Engine({
        dataDir: dataDir(),
        model: IMMICH_MODEL,
        provider: 'cpu',
        watch: true,
        app: true,
        onEvent: (event) => {
          events.push(event);
          if (options.quitWhileTagging && event.type === 'job' && event.job.kind === 'tag' && event.job.state === 'running') app.jobs.get(event.job.id).cancel();
        },
      }),
    );
    await app.catchUp();
    await expect.poll(() => jobs('index').at(-1)?.state, LONG).toBe('done');
    return app;
  }

  const quit = async (engine: Engine) => {
    engines.splice(engines.indexOf(engine), 1);
    await engine.dispose();
  };

  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).filter((_, i) => i % 10 === 0), folder);
    // `lumen index` and `lumen vocabulary --import`: nothing tagged.
    const setup = cli();
    await (await setup.addFolders([folder])).indexing.done;
    await setup.tags().vocabulary.replace(SHAPES_VOCABULARY);
    await quit(setup);
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
    await scratch.cleanup();
    events.length = 0;
  });

  it('finishes tagging cut short by a quit, and starts none at the next launch once it is done', async () => {
    const first = await launch({ quitWhileTagging: true });
    await expect.poll(() => jobs('tag').at(-1)?.state, LONG).toBe('cancelled');
    await quit(first);
    expect(autoTags()).toEqual([]);
    expect(tagStates()).toEqual([]);

    const again = await launch();
    await expect.poll(() => jobs('tag').at(-1)?.state, LONG).toBe('done');
    expect(jobs('tag').at(-1)?.background).toBe(true);
    expect(autoTags().length).toBeGreaterThan(0);
    expect(autoTags().every((tag) => (SHAPES as readonly string[]).includes(tag))).toBe(true);
    await quit(again);

    // Tagged up to date: the catch-up's run is followed by no tagging.
    await launch();
    expect(jobs('tag')).toEqual([]);
  }, 180_000);

  it('tags with a vocabulary imported from the command line while the app was closed', async () => {
    const tagger = cli();
    await taggedWith(tagger, SHAPES_VOCABULARY);
    const shapes = autoTags();
    expect(shapes.length).toBeGreaterThan(0);
    // The same prompts under other names: the same photos get them.
    const renamed = path.join(scratch.dir, 'renamed.json');
    await writeFile(renamed, JSON.stringify({ ...SHAPES_VOCABULARY, tags: SHAPES.map((shape) => ({ name: `${shape} shape`, prompts: [shape] })) }));
    await tagger.tags().vocabulary.import(renamed);
    await quit(tagger);

    await launch();
    await expect.poll(() => jobs('tag').at(-1)?.state, LONG).toBe('done');
    expect(autoTags()).toEqual(shapes.map((shape) => `${shape} shape`));
  }, 180_000);

  it('tags the photos `lumen index` indexed while the app was closed', async () => {
    const tagger = cli();
    await taggedWith(tagger, SHAPES_VOCABULARY);
    const more = await copyPhotos((await fixturePhotos()).filter((_, i) => i % 10 === 5), path.join(folder, 'more'));
    await tagger.index().done;
    await quit(tagger);
    const { done, last } = tagReach();
    expect(done).toBeLessThan(last as number);

    await launch();
    await expect.poll(() => jobs('tag').at(-1)?.state, LONG).toBe('done');
    // Only the photos indexed since were decided, up to the last.
    expect(jobs('tag').at(-1)?.progress).toMatchObject({ phase: 'scoring', done: more.length });
    expect(tagReach().done).toBe(last);
  }, 180_000);
});
