/** Small photos with known text for OCR tests, drawn by sharp, deterministic. */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export interface TextSpec {
  lines: string[];
  size?: number;
  font?: string;
  rotation?: number;
  /** A drawn textured background (stripes and a gradient) instead of plain paper. */
  textured?: boolean;
}

export async function renderText(spec: TextSpec, width = 640, height = 480): Promise<Buffer> {
  const size = spec.size ?? 32;
  const defs = '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6a8caf"/><stop offset="1" stop-color="#d9c27a"/></linearGradient><pattern id="p" width="24" height="24" patternUnits="userSpaceOnUse" patternTransform="rotate(30)"><rect width="12" height="24" fill="#ffffff" fill-opacity="0.18"/></pattern></defs>';
  const background = spec.textured ? `${defs}<rect width="100%" height="100%" fill="url(#g)"/><rect width="100%" height="100%" fill="url(#p)"/>` : '<rect width="100%" height="100%" fill="#f4efe4"/>';
  const texts = spec.lines
    .map((line, i) => `<text x="60" y="${140 + i * size * 1.8}" font-family="${spec.font ?? 'DejaVu Sans'}" font-size="${size}" fill="#111111">${line}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${background}<g transform="rotate(${spec.rotation ?? 0} ${width / 2} ${height / 2})">${texts}</g></svg>`;
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer();
}

export async function renderShapes(width = 640, height = 480): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#3a6ea5"/><circle cx="200" cy="220" r="90" fill="#e4572e"/><rect x="380" y="120" width="160" height="200" fill="#f3a712"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
}

/** A soft, photo-like picture without text: a sky gradient with blurred blobs. */
export async function renderScenery(width = 640, height = 480): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8fb8de"/><stop offset="1" stop-color="#e9d8a6"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#s)"/><ellipse cx="${width * 0.3}" cy="${height * 0.8}" rx="${width * 0.4}" ry="${height * 0.2}" fill="#4f772d"/><circle cx="${width * 0.75}" cy="${height * 0.25}" r="${height * 0.1}" fill="#fff3b0"/></svg>`;
  return sharp(Buffer.from(svg)).blur(6).jpeg({ quality: 92 }).toBuffer();
}

/** `photo` enlarged to 640 px wide with `words` printed on a light strip along its bottom. */
export async function withCaption(photo: string, words: string): Promise<Buffer> {
  const base = await sharp(photo).resize(640).toBuffer({ resolveWithObject: true });
  const { width, height } = base.info;
  const strip = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="70"><rect width="100%" height="100%" fill="#f4efe4"/><text x="40" y="50" font-family="DejaVu Sans" font-size="36" fill="#111111">${words}</text></svg>`;
  return sharp(base.data).composite([{ input: Buffer.from(strip), top: height - 70, left: 0 }]).jpeg({ quality: 92 }).toBuffer();
}

export interface TextLibrary {
  /** File names of the photos with words, and the words. */
  words: Record<string, string>;
  /** File names of every photo. */
  names: string[];
}

/**
 * A small library folder: fixture shapes (`shapes` of them), a star captioned "Lisboa", a sign
 * that says "Lisboa" and one that says "Porto 1987", and scenery without text.
 */
export async function writeTextLibrary(dir: string, shapes: ReadonlyArray<{ file: string; shape: string; colour: string }>): Promise<TextLibrary> {
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (const [i, photo] of shapes.entries()) {
    const name = `${photo.shape}-${photo.colour}-${i}.jpg`;
    await copyFile(photo.file, path.join(dir, name));
    names.push(name);
  }
  const star = shapes.find((photo) => photo.shape === 'star');
  if (!star) throw new Error('writeTextLibrary needs a star among the shapes');
  const words = { 'star-lisboa.jpg': 'Lisboa', 'sign-lisboa.jpg': 'Lisboa', 'sign-porto.jpg': 'Porto 1987' };
  await writeFile(path.join(dir, 'star-lisboa.jpg'), await withCaption(star.file, words['star-lisboa.jpg']));
  await writeFile(path.join(dir, 'sign-lisboa.jpg'), await renderText({ lines: [words['sign-lisboa.jpg']], size: 40 }));
  await writeFile(path.join(dir, 'sign-porto.jpg'), await renderText({ lines: [words['sign-porto.jpg']], size: 36, rotation: 3, textured: true }));
  await writeFile(path.join(dir, 'scenery.jpg'), await renderScenery());
  return { words, names: [...names, ...Object.keys(words), 'scenery.jpg'] };
}
