/** A local stand-in for the Hugging Face Hub, for download tests. Only ever listens on 127.0.0.1. */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFile {
  path: string;
  content: Buffer;
  lfs?: boolean;
}

export interface SeenRequest {
  server: 'hub' | 'cdn';
  url: string;
  range: string | undefined;
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const gitSha1 = (b: Buffer): string =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/**
 * Plays the Hugging Face Hub on 127.0.0.1: the tree API (two pages, via a Link header), resolve
 * URLs, and a second server on another port (another origin) as the CDN that LFS files are
 * redirected to. Range requests are honoured on both.
 */
export class FakeHub {
  files: FakeFile[] = [];
  /** Raw tree entries added after the real ones (e.g. malicious paths). */
  extraEntries: object[] = [];
  treeStatus = 200;
  treeBody: string | undefined;
  fileStatus = new Map<string, number>();
  tampered = new Set<string>();
  /** Send half of the file, then destroy the socket, on the first request only. */
  dropOnce = new Set<string>();
  /** Send half of the file, then hang and call the hook. */
  stall = new Map<string, () => void>();
  /** The size the file list claims for a path, instead of the real one. */
  listedSize = new Map<string, number>();
  /** Send this many bytes for a path (zeros after the content), whatever was asked. */
  oversize = new Map<string, number>();
  /** Answer a path's resolve URL with a redirect to this address instead. */
  redirect = new Map<string, string>();
  /** Send a file list that never ends (a broken proxy, a hostile server). */
  endlessTree = false;
  requests: SeenRequest[] = [];
  hubUrl = '';
  cdnUrl = '';
  private readonly hub: Server;
  private readonly cdn: Server;

  constructor(readonly repo = 'acme/clip-test') {
    this.hub = createServer((req, res) => this.onHub(req, res));
    this.cdn = createServer((req, res) => this.onCdn(req, res));
  }

  async start(): Promise<void> {
    const listen = (s: Server): Promise<string> =>
      new Promise((resolve) =>
        s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
      );
    this.hubUrl = await listen(this.hub);
    this.cdnUrl = await listen(this.cdn);
  }

  async stop(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  rangesFor(file: FakeFile): (string | undefined)[] {
    const cdnPath = `/blobs/${sha256(file.content)}`;
    return this.requests.filter((r) => r.server === 'cdn' && r.url === cdnPath).map((r) => r.range);
  }

  private log(server: 'hub' | 'cdn', req: IncomingMessage): void {
    this.requests.push({ server, url: req.url ?? '', range: req.headers.range });
  }

  private onHub(req: IncomingMessage, res: ServerResponse): void {
    this.log('hub', req);
    const url = new URL(req.url ?? '/', this.hubUrl);
    const treePrefix = `/api/models/${this.repo}/tree/main`;
    if (url.pathname.startsWith('/api/models/')) {
      if (url.pathname !== treePrefix || this.treeStatus !== 200) {
        res.writeHead(url.pathname !== treePrefix ? 404 : this.treeStatus).end('{"error":"Repository not found"}');
        return;
      }
      if (this.endlessTree) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const entry = `${JSON.stringify({ type: 'directory', oid: 'f'.repeat(40), size: 0, path: 'x'.repeat(1000) })},`;
        const more = (): void => {
          while (res.write(entry));
          res.once('drain', more);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        more();
        return;
      }
      if (this.treeBody !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(this.treeBody);
        return;
      }
      const entries = [...this.treeEntries(), ...this.extraEntries];
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const pageSize = 2;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + pageSize < entries.length) {
        headers.link = `<${this.hubUrl}${treePrefix}?recursive=true&cursor=${cursor + pageSize}>; rel="next"`;
      }
      res.writeHead(200, headers).end(JSON.stringify(entries.slice(cursor, cursor + pageSize)));
      return;
    }
    const resolvePrefix = `/${this.repo}/resolve/main/`;
    if (url.pathname.startsWith(resolvePrefix)) {
      const filePath = url.pathname.slice(resolvePrefix.length).split('/').map(decodeURIComponent).join('/');
      const file = this.files.find((f) => f.path === filePath);
      const status = this.fileStatus.get(filePath);
      const redirect = this.redirect.get(filePath);
      if (redirect !== undefined) {
        res.writeHead(302, { location: redirect }).end();
        return;
      }
      if (!file || status !== undefined) {
        res.writeHead(status ?? 404).end('Entry not found');
        return;
      }
      if (file.lfs) {
        res.writeHead(302, { location: `${this.cdnUrl}/blobs/${sha256(file.content)}` }).end();
        return;
      }
      this.serve(file, req, res);
      return;
    }
    res.writeHead(404).end();
  }

  private onCdn(req: IncomingMessage, res: ServerResponse): void {
    this.log('cdn', req);
    const file = this.files.find((f) => req.url === `/blobs/${sha256(f.content)}`);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    this.serve(file, req, res);
  }

  private treeEntries(): object[] {
    const dirs = new Set<string>();
    for (const f of this.files) {
      const parts = f.path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    return [
      ...[...dirs].map((d) => ({ type: 'directory', oid: 'f'.repeat(40), size: 0, path: d })),
      ...this.files.map((f) => {
        const size = this.listedSize.get(f.path) ?? f.content.length;
        return f.lfs
          ? { type: 'file', oid: 'a'.repeat(40), size, path: f.path, lfs: { oid: sha256(f.content), size, pointerSize: 134 } }
          : { type: 'file', oid: gitSha1(f.content), size, path: f.path };
      }),
    ];
  }

  private serve(file: FakeFile, req: IncomingMessage, res: ServerResponse): void {
    let content = file.content;
    const oversize = this.oversize.get(file.path);
    if (oversize !== undefined) content = Buffer.concat([content, Buffer.alloc(Math.max(0, oversize - content.length))]);
    if (this.tampered.has(file.path)) {
      content = Buffer.from(content);
      content[content.length >> 1] = (content[content.length >> 1] ?? 0) ^ 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (m) {
      start = Number(m[1]);
      if (start >= content.length) {
        res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-length': content.length - start,
        'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
      });
    } else {
      res.writeHead(200, { 'content-length': content.length });
    }
    const body = content.subarray(start);
    const half = content.length >> 1;
    if (this.dropOnce.delete(file.path)) {
      res.write(body.subarray(0, half - start), () => res.socket?.destroy());
      return;
    }
    const hook = this.stall.get(file.path);
    if (hook) {
      this.stall.delete(file.path);
      res.write(body.subarray(0, half - start), () => hook());
      return; // hang until the client goes away
    }
    res.end(body);
  }
}
