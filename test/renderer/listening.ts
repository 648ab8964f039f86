/**
 * What a screen reader hears, and when keys went down, recorded in the page in its own time, for
 * tests of what is said once typing or editing rests (Note [Count said once typing rests] in
 * renderer/src/state/search.svelte.ts; the template preview's count in TemplatesView.svelte).
 */
import type { Page } from 'playwright-core';

/** A text a live region took, and when (the page's performance.now()). */
export interface Heard {
  text: string;
  at: number;
}

/** A key that went down, and when (the page's performance.now()). */
export interface KeyDown {
  key: string;
  at: number;
}

interface Recorded {
  __heard: Heard[];
  __keys: KeyDown[];
}

/**
 * Starts recording what reaches a live region (aria-live other than off, or a role that implies
 * one): the region's text each time something in it changes or it comes with text, as a screen
 * reader is told. Returns what was heard so far.
 */
export async function listen(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const LIVE = '[aria-live]:not([aria-live="off"]), :is([role="status"], [role="alert"], [role="log"]):not([aria-live])';
    const heard: Heard[] = [];
    (window as unknown as Recorded).__heard = heard;
    new MutationObserver((records) => {
      const regions = new Set<Element>();
      for (const record of records) {
        const target = record.target instanceof Element ? record.target : record.target.parentElement;
        const around = target?.closest(LIVE);
        if (around) regions.add(around);
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          if (node.matches(LIVE)) regions.add(node);
          for (const inside of node.querySelectorAll(LIVE)) regions.add(inside);
        }
      }
      for (const region of regions) {
        const text = (region.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (region.isConnected && text) heard.push({ text, at: performance.now() });
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return async () => (await heardWhen(page)).map((each) => each.text);
}

/** What was heard since `listen`, each with when. */
export const heardWhen = (page: Page) => page.evaluate(() => [...(window as unknown as Recorded).__heard]);

/** Starts recording when each key goes down. Returns the keys so far. */
export async function recordKeys(page: Page): Promise<() => Promise<KeyDown[]>> {
  await page.evaluate(() => {
    const keys: KeyDown[] = [];
    (window as unknown as Recorded).__keys = keys;
    document.addEventListener('keydown', (event) => keys.push({ key: event.key, at: performance.now() }), true);
  });
  return () => page.evaluate(() => [...(window as unknown as Recorded).__keys]);
}

/**
 * A gap between keys this long may be a rest (the app waits 1 s; a key down is recorded a moment
 * before its edit starts that wait): on a loaded machine a key can stall that long, and what was
 * typed before it is then due to be said.
 */
export const REST_MS = 900;

/**
 * Each saying that came while keys were still being typed: sooner than REST_MS after the key
 * before it, before any key, or a second one in the same rest. Empty when everything was said once
 * typing rested, each rest at most once.
 */
export function saidWhileTyping(said: readonly Heard[], keys: readonly KeyDown[]): string[] {
  const wrong: string[] = [];
  let lastRest = -1;
  for (const { text, at } of said) {
    const before = keys.findLastIndex((key) => key.at <= at);
    const key = keys[before];
    if (!key) wrong.push(`“${text}” before any key`);
    else if (at - key.at < REST_MS) wrong.push(`“${text}” ${Math.round(at - key.at)} ms after ${JSON.stringify(key.key)}`);
    else if (before === lastRest) wrong.push(`“${text}” a second time in the rest after ${JSON.stringify(key.key)}`);
    lastRest = before;
  }
  return wrong;
}
