/**
 * The colour of what went wrong, built for real and driven in Chromium against a fake engine:
 * one rule in app.css (`.error`) for every screen, which must not reach a Notice's body, and which
 * the always-dark viewer gives its own danger colour in either theme.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
/** The dark theme's --danger in app.css, which the viewer uses in either theme. */
const DARK_DANGER = 'rgb(255, 138, 138)';

describe('the colour of an error', () => {
  it('is a Notice’s title’s only: its body keeps the text colour', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const fake = libraryFake();
      const stopped = { ok: false as const, error: { code: 'engine-crashed', message: 'The photo engine stopped unexpectedly.' } };
      fake.overrides['app.status'] = () => stopped;
      fake.overrides['photos.timeline'] = () => stopped;
      const { page } = await pages.open(fake, { colorScheme });
      const notice = page.getByRole('alert').filter({ hasText: 'Lumen could not open your library' });
      const colours = () =>
        notice.evaluate((box) => {
          const colourOf = (element: Element | null) => (element ? getComputedStyle(element).color : null);
          const danger = document.createElement('span');
          danger.style.color = 'var(--danger)';
          document.body.append(danger);
          const said = { title: colourOf(box.querySelector('.title')), body: colourOf(box.querySelector('.body')), text: colourOf(document.body), danger: colourOf(danger) };
          danger.remove();
          return said;
        });
      await notice.waitFor();
      const { title, body, text, danger } = await colours();
      expect(title, colorScheme).toBe(danger);
      expect(body, colorScheme).toBe(text);
    }
  });

  it('is the dark theme’s in the viewer, dark in either theme: the viewer’s own, and its tags’', async () => {
    const colourOf = async (alert: Locator) => {
      await alert.waitFor();
      return alert.evaluate((element) => getComputedStyle(element).color);
    };
    for (const colorScheme of ['light', 'dark'] as const) {
      const fake = libraryFake();
      fake.overrides['photos.details'] = () => ({ ok: false, error: { code: 'not-found', message: 'There is no photo #2 in the library.' } });
      const gone = await pages.open(fake, { hash: '#/library?photo=2', colorScheme });
      expect(await colourOf(gone.page.getByRole('dialog').getByRole('alert')), colorScheme).toBe(DARK_DANGER);

      const { page } = await pages.open(libraryFake(), { hash: '#/library?photo=2', colorScheme });
      const viewer = page.getByRole('dialog');
      await viewer.getByLabel('Add a tag', { exact: true }).fill('x'.repeat(250));
      await page.keyboard.press('Enter');
      expect(await colourOf(viewer.getByRole('alert').filter({ hasText: 'The name is longer than' })), colorScheme).toBe(DARK_DANGER);
    }
  });
});
