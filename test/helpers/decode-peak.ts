/**
 * Run as a child process (`node --import tsx test/helpers/decode-peak.ts PHOTO...`): decodes the
 * photos all at once, as indexing does, and prints the growth of the process's peak resident
 * memory (Linux's VmHWM) in bytes, with the decode memory budget's own peak, as JSON. A process of
 * its own, so nothing else this process did counts.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodePhoto } from '../../main/library/decode.js';
import { readModelFolder } from '../../main/models/folder.js';
import * as preprocess from '../../main/models/preprocess.js';
import { IMMICH_MODEL } from './fixtures.js';

function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1]) * 1024;
}

const pre = (await readModelFolder(IMMICH_MODEL)).image.preprocessing;
// Warm up libvips and the decoders on a small image, so their start-up cost is not counted.
const small = await sharp({ create: { width: 300, height: 300, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).png().toBuffer();
await decodePhoto(small, pre, { withThumbnail: true });
const before = peakRss();
const started = Date.now();
await Promise.all(process.argv.slice(2).map((photo) => decodePhoto(photo, pre, { withThumbnail: true })));
// The budget exists only where decodes are budgeted; the report says so rather than failing.
const budget = (preprocess as { decodeMemory?: { peak: number; capacity: number } }).decodeMemory;
process.stdout.write(`${JSON.stringify({ growth: peakRss() - before, seconds: (Date.now() - started) / 1000, budgetPeak: budget?.peak ?? null, budget: budget?.capacity ?? null })}\n`);
