import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, devCsp } from '../../main/app/csp.js';
import { APP_ORIGIN, contentTypeOf, resolveRendererFile, safeSegments } from '../../main/app/renderer-files.js';

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'lumen-files-'));
  root = path.join(base, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html>');
  await writeFile(path.join(root, 'assets', 'index-abc.js'), 'export {}');
  await writeFile(path.join(root, 'assets', 'a b.css'), 'body{}');
  await writeFile(path.join(base, 'secret.txt'), 'secret');
  await writeFile(path.join(base, 'renderer-evil.txt'), 'sibling with the same prefix');
  await symlink(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
  await symlink(base, path.join(root, 'up'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('app:// file resolution', () => {
  it('serves index.html for the root and files inside the renderer folder', async () => {
    await expect(resolveRendererFile(root, `${APP_ORIGIN}/`)).resolves.toBe(path.join(root, 'index.html'));
    await expect(resolveRendererFile(root, `${APP_ORIGIN}/index.html#/settings`)).resolves.toBe(path.join(root, 'index.html'));
    await expect(resolveRendererFile(root, `${APP_ORIGIN}/assets/index-abc.js?v=1`)).resolves.toBe(path.join(root, 'assets', 'index-abc.js'));
    await expect(resolveRendererFile(root, `${APP_ORIGIN}/assets/a%20b.css`)).resolves.toBe(path.join(root, 'assets', 'a b.css'));
  });

  it.each([
    ['dot-dot', '/../secret.txt'],
    ['encoded dot-dot', '/%2e%2e/secret.txt'],
    ['encoded slash', '/..%2fsecret.txt'],
    ['encoded backslash', '/..%5csecret.txt'],
    ['double encoding stays literal', '/%252e%252e/secret.txt'],
    ['deep climb', '/assets/../../secret.txt'],
    ['sibling prefix', '/../renderer-evil.txt'],
    ['symlink to a file outside', '/link.txt'],
    ['symlink to a folder outside', '/up/secret.txt'],
    ['NUL byte', '/index.html%00.js'],
    ['drive letter', '/C:/Windows/win.ini'],
    ['broken escape', '/%E0%A4%A'],
    ['missing file', '/nope.js'],
    ['a folder', '/assets'],
  ])('refuses %s (%s)', async (_label, urlPath) => {
    await expect(resolveRendererFile(root, `${APP_ORIGIN}${urlPath}`)).resolves.toBeNull();
  });

  it('refuses other origins and schemes', async () => {
    await expect(resolveRendererFile(root, 'app://other/index.html')).resolves.toBeNull();
    await expect(resolveRendererFile(root, 'https://lumen/index.html')).resolves.toBeNull();
    await expect(resolveRendererFile(root, `file://${path.join(root, 'index.html')}`)).resolves.toBeNull();
    await expect(resolveRendererFile(root, 'not a url')).resolves.toBeNull();
  });

  it('checks segments one by one', () => {
    expect(safeSegments('/a/b%20c/d.js')).toEqual(['a', 'b c', 'd.js']);
    expect(safeSegments('//a///b')).toEqual(['a', 'b']);
    expect(safeSegments('/a/%2e/b')).toBeNull();
    expect(safeSegments('/a%2Fb')).toBeNull();
  });

  it('names content types', () => {
    expect(contentTypeOf('x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('a.unknown')).toBe('application/octet-stream');
  });
});

describe('content security policy', () => {
  it('allows only the app itself, with no inline code or eval', () => {
    expect(APP_CSP).toContain("default-src 'none'");
    expect(APP_CSP).toContain("script-src 'self';");
    expect(APP_CSP).toContain("style-src 'self';");
    expect(APP_CSP).toContain("img-src 'self' data: blob:");
    expect(APP_CSP).toContain("connect-src 'self';");
    expect(APP_CSP).toContain("frame-ancestors 'none'");
    expect(APP_CSP).not.toMatch(/unsafe-(inline|eval)|https?:|\*/);
  });

  it('relaxes only styles and the hot-reload socket for the dev server', () => {
    const dev = devCsp('http://localhost:5173');
    expect(dev).toContain("style-src 'self' 'unsafe-inline'");
    expect(dev).toContain("connect-src 'self' ws://localhost:5173");
    expect(dev).toContain("script-src 'self';");
    expect(dev).not.toContain('unsafe-eval');
  });
});

describe('layering', () => {
  it('the modules the tests load never import electron at run time', async () => {
    const dir = path.resolve(import.meta.dirname, '../../main/app');
    for (const file of ['router.ts', 'rpc.ts', 'renderer-files.ts', 'csp.ts', 'handlers.ts', 'photo-route.ts', 'engine-args.ts', 'huge-pages.ts', 'sqlite-binding.ts']) {
      const source = await readFile(path.join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'electron'/m);
    }
  });
});
