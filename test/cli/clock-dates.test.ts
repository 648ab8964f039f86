/**
 * Photo dates as their clock showed them (Note [Dates as the clock showed] in decode.ts), end to
 * end: indexed in Tokyo or in UTC, a photo taken at 23:30 on 15 June is stored alike, and a
 * laptop in UTC+14 lists it on 15 June and finds it by that day.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../main/storage/storage.js';
import { IMMICH_MODEL, PHOTOS, ROOT, tempDir } from '../helpers/fixtures.js';

/** `lumen ARGV...` in a process of its own, in time zone `zone`. */
async function lumenIn(zone: string, ...argv: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), ...argv], { cwd: ROOT, env: { ...process.env, TZ: zone } });
  return stdout;
}

// The impossible date's file time: 20:00 on 10 March in UTC, 05:00 on 11 March in Tokyo, the clock of where it is indexed (Note [File times on the clock]).
const FILE_TIME = new Date(Date.UTC(2020, 2, 10, 20));
const FILE_DAY: Record<string, string> = { 'Asia/Tokyo': '2020-03-11', UTC: '2020-03-10' };

describe('photo dates indexed in one zone and shown in another', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'photos');
    await mkdir(folder);
    const circles = path.join(PHOTOS, 'shapes', 'circle');
    const [first, second] = (await readdir(circles)).map((name) => path.join(circles, name));
    const dated = (source: string, date: string) => sharp(source).withExif({ IFD2: { DateTimeOriginal: date } }).jpeg().toBuffer();
    await writeFile(path.join(folder, 'garden.jpg'), await dated(first as string, '2021:06:15 23:30:00'));
    await writeFile(path.join(folder, 'impossible.jpg'), await dated(second as string, '2021:13:45 25:61:61'));
    await utimes(path.join(folder, 'impossible.jpg'), FILE_TIME, FILE_TIME);
  });
  afterAll(() => scratch.cleanup());

  for (const zone of ['Asia/Tokyo', 'UTC']) {
    it(`stores, lists and filters them alike when indexed in ${zone}`, async () => {
      const data = path.join(scratch.dir, zone.replace('/', '-'));
      await lumenIn(zone, 'index', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu', folder);
      const db = new Database(path.join(data, DATABASE_FILE), { readonly: true });
      const stored = db.prepare('SELECT taken_at FROM images ORDER BY taken_at').pluck().all();
      db.close();
      // The impossible date is no date: the photo falls back to its file's time.
      expect(stored).toEqual([null, Date.UTC(2021, 5, 15, 23, 30)]);

      const listed = await lumenIn('Pacific/Kiritimati', 'search', '--data', data, '--provider', 'cpu', '--all', '--sort', 'oldest', 'a photo of a circle.');
      expect(listed).toMatch(new RegExp(` ${FILE_DAY[zone]} +#\\d+ +\\S*impossible\\.jpg\n`));
      expect(listed).toMatch(/ 2021-06-15 +#\d+ +\S*garden\.jpg\n/);
      const thatDay = await lumenIn('Pacific/Kiritimati', 'search', '--data', data, '--provider', 'cpu', '--all', '--sort', 'oldest', '--after', '2021-06-15', '--before', '2021-06-15', 'a photo of a circle.');
      expect(thatDay).toMatch(/^ +1\. +\S+ +2021-06-15 +#\d+ +\S*garden\.jpg\n1 photo matches/);
    });
  }
});
