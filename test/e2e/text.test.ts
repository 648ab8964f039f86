/**
 * Text in photos in the desktop app, end to end (preview mode, Chromium, the real engine): the
 * text is read by itself after indexing; a word finds its photo, quoted or among other words;
 * the viewer shows the text with its boxes on the photo and copies it; settings read every
 * photo. No console error, page error or CSP violation is allowed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos } from '../helpers/library.js';
import { renderScenery, writeTextLibrary } from '../ocr/helpers.js';
import { eventually, launchApp, screenshot, tileNames, type AppSession } from './app.js';

describe('text in photos in the app', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let session: AppSession;
  let page: Page;
  let total = 0;

  const results = () => page.getByRole('listbox', { name: 'Search results' });
  const library = () => page.getByRole('listbox', { name: 'Photos' });
  const search = () => page.getByRole('searchbox', { name: 'Search photos' });
  const names = async () => (await tileNames(results())).map((name) => name.split(',')[0]);
  /** The settings card's counts: photos read, with text, skipped. */
  const textCounts = async () => {
    const text = (await page.getByRole('region', { name: 'Text in photos' }).getByTestId('text-counts').textContent()) ?? '';
    const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1]?.replace(/,/g, '') ?? NaN);
    return { read: number(/([\d,]+) photos read/), withText: number(/([\d,]+) with text/), skipped: number(/([\d,]+) skipped/) };
  };

  beforeAll(async () => {
    scratch = await tempDir('lumen-e2e-text-');
    const photos = path.join(scratch.dir, 'Pictures');
    const written = await writeTextLibrary(photos, (await fixturePhotos()).filter((photo) => photo.shape === 'star' || photo.shape === 'circle').filter((_, i) => i % 3 === 0));
    // Plain scenery the gate skips at first: enough of it that "Read every photo" runs long
    // enough to be paused, even on a fast machine.
    for (let i = 0; i < 24; i++) await writeFile(path.join(photos, `meadow-${i}.jpg`), await renderScenery(960 + i * 8, 720));
    total = written.names.length + 24;
    session = await launchApp({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, folders: [photos] });
    page = session.view.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.app.server.url });
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.cleanup();
  });

  it('reads the text by itself after indexing, and a quoted word finds the photos that show it', async () => {
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await eventually(async () => library().getByRole('option').first().getAttribute('aria-setsize'), 60_000).toBe(String(total));
    await page.getByRole('link', { name: 'Settings' }).click();
    // The app reads by itself after indexing: every photo is read or skipped by the gate.
    await eventually(async () => {
      const { read, withText, skipped } = await textCounts();
      return { done: read + skipped, withText };
    }, 60_000).toEqual({ done: total, withText: 3 });
    await page.getByRole('link', { name: 'Library' }).click();
    await search().fill('"lisboa"');
    await eventually(async () => (await names()).sort()).toEqual(['sign-lisboa.jpg', 'star-lisboa.jpg']);
    await page.getByRole('heading', { level: 1, name: '2 photos contain the text “lisboa”' }).waitFor();
  }, 120_000);

  it('opens the photo that says it: the viewer shows its text, boxes on the photo, and copies it', async () => {
    await results().getByRole('option', { name: /^sign-lisboa\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'sign-lisboa.jpg' });
    await viewer.waitFor();
    const text = viewer.getByLabel('Text read in this photo');
    await eventually(async () => text.textContent()).toBe('Lisboa');

    // The box lies on the word: left part of the photo, about a third of the way down (renderText draws at x 60, baseline 140 of 640 x 480).
    const box = viewer.getByTestId('text-box');
    await eventually(() => box.count()).toBe(1);
    const image = (await viewer.locator('.stage img').boundingBox())!;
    const drawn = (await box.boundingBox())!;
    const scale = Math.min(image.width / 640, image.height / 480);
    const left = image.x + (image.width - 640 * scale) / 2;
    const top = image.y + (image.height - 480 * scale) / 2;
    expect(Math.abs((drawn.x - left) / scale - 60)).toBeLessThan(12);
    expect(drawn.y - top).toBeLessThan(140 * scale);
    expect(drawn.y + drawn.height - top).toBeGreaterThan(125 * scale);
    await screenshot(page, 'viewer-text');

    await viewer.getByRole('button', { name: 'Copy text' }).click();
    await viewer.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Lisboa');

    await viewer.getByLabel('Show on photo').uncheck();
    await eventually(() => box.count()).toBe(0);
    await viewer.getByLabel('Show on photo').check();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
  });

  it('puts the star that says Lisboa first for "a star lisboa"', async () => {
    // CLIP alone (the fixture model) ranks four photos above it; the word read in it lifts it.
    await search().fill('a star lisboa');
    await eventually(async () => (await names())[0]).toBe('star-lisboa.jpg');
    expect((await names())[1]).toBe('sign-lisboa.jpg');
  });

  it('says when a photo has not been read, reads it on request, and reads every photo from settings, with pause and resume', async () => {
    await search().fill('');
    await library().getByRole('option', { name: /^scenery\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'scenery.jpg' });
    await viewer.getByText('Not read: a quick look found no text in it.').waitFor();
    await viewer.getByRole('button', { name: 'Read text' }).click();
    await viewer.getByText('No text found.').waitFor();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });

    await page.getByRole('link', { name: 'Settings' }).click();
    const card = page.getByRole('region', { name: 'Text in photos' });
    await card.getByRole('button', { name: 'Read every photo' }).click();
    await card.getByText('Reading every photo.').waitFor();
    const status = page.getByRole('status', { name: 'Reading text in photos' });
    await status.getByRole('button', { name: 'Pause' }).click();
    await status.getByText('Reading text in photos (paused)').waitFor();
    await status.getByRole('button', { name: 'Resume' }).click();
    await status.waitFor({ state: 'detached', timeout: 60_000 });
    await eventually(textCounts, 60_000).toEqual({ read: total, withText: 3, skipped: 0 });
    // Said while it ran; once it ended, the header said so and the card no longer claims it reads.
    await eventually(() => card.getByText('Reading every photo.').count()).toBe(0);
  });
});
