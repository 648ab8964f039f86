/**
 * Note [Limits the window checks] in preload/limits.ts: more folders picked in the dialog than
 * one call may add are refused in the app's words, before the engine is asked, as they are when
 * dropped on the window; up to the limit, they are added.
 */
import { describe, expect, it } from 'vitest';
import { callHandlers, type AppShell, type EngineClient } from '../../main/app/handlers.js';
import { MAX_FOLDERS_ADDED } from '../../preload/limits.js';

const picking = (count: number): AppShell => ({
  pickFolders: async () => Array.from({ length: count }, (_, i) => `/photos/${i}`),
  showInFolder: () => false,
  openPath: async () => false,
  moveToTrash: async () => {},
});

/** An engine that records the folders it was asked to add. */
function engineAdding(asked: string[][]): EngineClient {
  return { call: async (name, params) => (name === 'library.addFolders' ? (asked.push((params as { paths: string[] }).paths), { folders: [], refused: [] }) : Promise.reject(new Error(`unexpected ${name}`))) as never };
}

describe('folders picked in the dialog', () => {
  it('refuses more than one call adds, saying how many and what to do, and asks the engine nothing', async () => {
    const asked: string[][] = [];
    const added = callHandlers(engineAdding(asked), picking(MAX_FOLDERS_ADDED + 1), () => {})['library.addFromDialog']({});
    await expect(added).rejects.toMatchObject({ code: 'bad-input', message: `Lumen adds at most ${MAX_FOLDERS_ADDED} folders at a time, and these are ${MAX_FOLDERS_ADDED + 1}: pick fewer, or pick the folder that holds them.` });
    expect(asked).toEqual([]);
  });

  it('adds as many as one call may', async () => {
    const asked: string[][] = [];
    await callHandlers(engineAdding(asked), picking(MAX_FOLDERS_ADDED), () => {})['library.addFromDialog']({});
    expect(asked.map((paths) => paths.length)).toEqual([MAX_FOLDERS_ADDED]);
  });
});
