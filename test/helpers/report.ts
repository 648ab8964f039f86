/** Figures a long test measured: printed, and kept in .cache/reliability/NAME.json for the README. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './fixtures.js';

export async function report(name: string, figures: Record<string, unknown>, lines: readonly string[] = []): Promise<void> {
  const dir = path.join(ROOT, '.cache', 'reliability');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  console.log([`${name}:`, ...lines.map((line) => `  ${line}`), `  ${JSON.stringify(figures)}`].join('\n'));
}
