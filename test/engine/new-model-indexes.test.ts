/**
 * Note [A new model indexes] in main/engine/index-job.ts: a model chosen in the app's Settings
 * embeds the library in the background, while the old one serves searches until it is done; and
 * the choice is said to every window.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { eventSchema, type AppEvent, type JobInfo } from '../../preload/contract.js';
import { HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('a model switched in Settings', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  const engines: Engine[] = [];
  const events: AppEvent[] = [];
  const indexJobs = (): JobInfo[] => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'index' ? [event.job] : []));
  const engine = (options: { watch: boolean }): Engine => {
    const made = new Engine({ dataDir: path.join(scratch.dir, 'data'), provider: 'cpu', ...options, app: options.watch, onEvent: (event) => events.push(event) });
    engines.push(made);
    return made;
  };

  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 4), folder);
    const setup = engine({ watch: false });
    await setup.importModel(IMMICH_MODEL);
    await setup.importModel(HF_MODEL);
    await setup.updateSettings({ model: 'tiny-clip-immich' });
    await (await setup.addFolders([folder])).indexing.done;
    expect(setup.library().servingModel()).toBe('tiny-clip-immich');
    await setup.dispose();
    events.length = 0;
  });
  afterEach(async () => {
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
  });

  it('embeds the library with the new model in the background, and searches move to it once it is done', async () => {
    const app = engine({ watch: true });
    await app.updateSettings({ model: 'tiny-clip-hf' });
    await expect.poll(() => indexJobs().at(-1), { timeout: 30_000 }).toMatchObject({ state: 'done', background: true });
    expect(indexJobs().at(-1)?.progress).toMatchObject({ embedded: 4 });
    expect(app.library().servingModel()).toBe('tiny-clip-hf');
    expect((await app.search('a photo of a star.', { limit: 4 })).model).toBe('tiny-clip-hf');
  });

  it('is said to every window (Note [Settings followed] in main/engine/engine.ts), in an event the main process relays; a change refused says nothing', async () => {
    const app = engine({ watch: true });
    const said = () => events.filter((event) => event.type === 'settings-changed').length;
    await app.updateSettings({ provider: 'cpu' });
    expect(said()).toBe(1);
    await expect(app.updateSettings({ provider: 'quantum' })).rejects.toMatchObject({ code: 'bad-input' });
    await expect(app.updateSettings({ model: 'no-such-model' })).rejects.toMatchObject({ code: 'not-found' });
    expect(said()).toBe(1);
    expect(eventSchema.safeParse({ type: 'settings-changed' }).success).toBe(true);
  });

  it('starts no run for a change of provider alone, nor in the CLI’s engine', async () => {
    await engine({ watch: true }).updateSettings({ provider: 'cpu' });
    const cli = engine({ watch: false });
    await cli.updateSettings({ model: 'tiny-clip-hf' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(indexJobs()).toEqual([]);
    expect(cli.library().servingModel()).toBe('tiny-clip-immich');
  });
});
