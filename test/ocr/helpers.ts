/** Small photos with known text for OCR tests, drawn by sharp, deterministic. */
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
