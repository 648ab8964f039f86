/**
 * Photos with known text, for OCR tests and figures: words rendered by sharp (SVG `<text>` with
 * the installed DejaVu fonts) in several fonts, sizes and slight rotations, on plain paper-like
 * colours, on the system's wallpapers (textures and photographs) and on sign-like panels over
 * them; and photos with no text (wallpapers, plain colours, drawn shapes). Deterministic for a
 * seed. Each photo's first line holds a word no other photo has, for search Recall@1.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

export interface RenderedLine {
  text: string;
  size: number;
  font: string;
}

export interface TextPhoto {
  file: string;
  /** Lines top to bottom; empty for a photo without text. */
  lines: RenderedLine[];
  /** The word only this photo shows (null without text). */
  keyword: string | null;
  background: 'plain' | 'wallpaper' | 'panel';
  /** Degrees. */
  rotation: number;
}

const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed', 'DejaVu Sans:bold', 'DejaVu Serif:bold'];
const COMMON = ['receipt', 'total', 'open', 'street', 'coffee', 'station', 'menu', 'price', 'exit', 'welcome', 'market', 'hotel', 'ticket', 'sale', 'north', 'garden', 'Lisboa', 'Porto', 'Avenue', 'Library'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ran', 'te', 'sul', 'bor', 'vin', 'da', 'pe', 'tor', 'li', 'mun', 'ga', 'rel', 'so', 'fi', 'nak', 'zu', 'ber', 'que', 'hal', 'dro', 'wen'];
const WALLPAPER_ROOTS = ['/usr/share/backgrounds', '/usr/share/wallpapers'];
const BACKGROUND_SIDE = 1600;

/** mulberry32: a small seeded generator, so a set is the same on every machine. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

/** Wallpapers on this machine, each decoded once to a JPEG of at most 1600 px under `cache`. */
export async function wallpapers(cache: string): Promise<string[]> {
  await mkdir(cache, { recursive: true });
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(jpe?g|png)$/i.test(entry.name) && !/screenshot/i.test(entry.name)) found.push(full);
    }
  };
  for (const root of WALLPAPER_ROOTS) await walk(root);
  // One picture per wallpaper folder (several files are the same picture at other sizes).
  const byFolder = new Map<string, string>();
  for (const file of found.sort()) {
    const key = file.includes('/contents/images/') ? file.split('/contents/')[0] as string : file.replace(/_\d+x\d+(?=\.)/, '');
    const known = byFolder.get(key);
    if (!known || (await stat(file)).size < (await stat(known)).size) byFolder.set(key, file);
  }
  const out: string[] = [];
  for (const [i, file] of [...byFolder.values()].entries()) {
    const target = path.join(cache, `bg-${i}.jpg`);
    if (!existsSync(target)) await sharp(file).rotate().resize(BACKGROUND_SIDE, BACKGROUND_SIDE, { fit: 'inside' }).flatten({ background: '#808080' }).jpeg({ quality: 90 }).toFile(target);
    out.push(target);
  }
  return out;
}

function keywordFor(rand: () => number, used: Set<string>): string {
  for (;;) {
    let word = '';
    const syllables = 3 + Math.floor(rand() * 2);
    for (let i = 0; i < syllables; i++) word += pick(rand, SYLLABLES);
    if (used.has(word)) continue;
    used.add(word);
    const style = rand();
    return style < 0.5 ? word : style < 0.8 ? word[0]?.toUpperCase() + word.slice(1) : word.toUpperCase();
  }
}

function filler(rand: () => number): string {
  const r = rand();
  if (r < 0.25) return `${Math.floor(rand() * 90) + 10}.${Math.floor(rand() * 90) + 10}`;
  if (r < 0.35) return `${String(Math.floor(rand() * 24)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}`;
  return pick(rand, COMMON);
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fontAttributes(font: string): string {
  const [family, weight] = font.split(':');
  return `font-family="${family}"${weight ? ` font-weight="${weight}"` : ''}`;
}

/** Mean luminance (0..255) of a region of raw RGB pixels. */
function luminance(data: Buffer, width: number, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.max(0, y0); y < y1; y += 4) {
    for (let x = Math.max(0, x0); x < Math.min(x1, width); x += 4) {
      const i = (y * width + x) * 3;
      sum += 0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
      n++;
    }
  }
  return n ? sum / n : 128;
}

async function wallpaperCrop(file: string, width: number, height: number, rand: () => number): Promise<Sharp> {
  const scale = 1 + rand() * 0.5;
  const { data, info } = await sharp(file)
    .resize(Math.round(width * scale), Math.round(height * scale), { fit: 'cover' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const left = Math.floor(rand() * (info.width - width + 1));
  const top = Math.floor(rand() * (info.height - height + 1));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).extract({ left, top, width, height });
}

export interface TextPhotoSetOptions {
  withText: number;
  withoutText: number;
  seed?: number;
  /** Smallest and largest text height in pixels. */
  sizes?: [number, number];
}

/** Writes the set into `dir` (backgrounds cached under `cache`) and describes each photo. */
export async function generateTextPhotos(dir: string, cache: string, options: TextPhotoSetOptions): Promise<TextPhoto[]> {
  await mkdir(dir, { recursive: true });
  const rand = random(options.seed ?? 7);
  const backgrounds = await wallpapers(cache);
  const [minSize, maxSize] = options.sizes ?? [16, 64];
  const used = new Set<string>();
  const photos: TextPhoto[] = [];
  const total = options.withText + options.withoutText;
  for (let n = 0; n < total; n++) {
    const hasText = n < options.withText;
    const width = 800 + Math.floor(rand() * 5) * 160;
    const height = Math.round(width * pick(rand, [0.75, 0.5625, 1.333]));
    const kind = pick(rand, ['plain', 'wallpaper', 'panel'] as const);
    const colour = pick(rand, ['#f4efe4', '#ffffff', '#e8eef5', '#20242a', '#fdf6c8', '#3a4d2c']);
    // A crop is cut from the wallpaper at a random place, so no two photos are the same picture.
    const crop = kind === 'plain' ? null : await wallpaperCrop(pick(rand, backgrounds), width, height, rand);
    const base = crop ?? sharp({ create: { width, height, channels: 3, background: colour } });
    const { data } = await base.raw().toBuffer({ resolveWithObject: true });
    const layers: string[] = [];
    const lines: RenderedLine[] = [];
    const rotation = Math.round((rand() * 12 - 6) * 10) / 10;
    let keyword: string | null = null;
    if (hasText) {
      const size = Math.round(minSize + rand() * (maxSize - minSize));
      const font = pick(rand, FONTS);
      const count = 1 + Math.floor(rand() * 3);
      const left = Math.round(width * (0.06 + rand() * 0.1));
      const maxChars = Math.floor((width * 0.8) / (size * 0.68));
      keyword = keywordFor(rand, used);
      for (let i = 0; i < count; i++) {
        const words = i === 0 ? [keyword] : [];
        while (words.length < 4 && rand() < 0.7) {
          const next = filler(rand);
          if ([...words, next].join(' ').length > maxChars) break;
          words.push(next);
        }
        if (words.length === 0) words.push(filler(rand));
        lines.push({ text: words.join(' '), size, font });
      }
      const lineHeight = Math.round(size * 1.7);
      const top = Math.round((height - lineHeight * count) * (0.15 + rand() * 0.6));
      const right = Math.min(width, left + Math.max(...lines.map((line) => line.text.length)) * size * 0.68);
      const dark = kind === 'panel' ? rand() < 0.5 : luminance(data, width, left, top, right, top + lineHeight * count) > 128;
      const panel = kind === 'panel' ? `<rect x="${left - size * 0.6}" y="${top - size * 0.4}" width="${right - left + size * 1.2}" height="${lineHeight * count + size * 0.4}" rx="${size * 0.3}" fill="${dark ? '#f2f2ea' : '#1d3b6e'}" fill-opacity="0.92"/>` : '';
      const texts = lines.map((line, i) => `<text x="${left}" y="${top + lineHeight * i + size}" font-size="${size}" ${fontAttributes(line.font)} fill="${dark ? '#111111' : '#f8f8f8'}">${escapeXml(line.text)}</text>`);
      layers.push(`<g transform="rotate(${rotation} ${width / 2} ${height / 2})">${panel}${texts.join('')}</g>`);
    } else if (kind === 'plain') {
      for (let i = 0; i < 4; i++) layers.push(`<circle cx="${rand() * width}" cy="${rand() * height}" r="${20 + rand() * 120}" fill="${pick(rand, ['#c0392b', '#2980b9', '#27ae60', '#f1c40f'])}"/>`);
    }
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${layers.join('')}</svg>`;
    const file = path.join(dir, `${hasText ? 'text' : 'none'}-${String(n).padStart(4, '0')}.jpg`);
    await sharp(data, { raw: { width, height, channels: 3 } })
      .composite([{ input: Buffer.from(svg) }])
      .jpeg({ quality: 88 })
      .toFile(file);
    photos.push({ file, lines, keyword, background: kind, rotation: hasText ? rotation : 0 });
  }
  return photos;
}
