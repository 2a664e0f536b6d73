/** A real HTTP server on 127.0.0.1 that serves files, honours Range, and can drop a transfer midway. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServer {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Paths whose next N answers are cut after half of the bytes. */
  cutNext(path: string, times: number): void;
  close(): Promise<void>;
}

export async function serveFiles(files: Record<string, Uint8Array>): Promise<FileServer> {
  const requests: FileServer['requests'] = [];
  const cuts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, headers: req.headers });
    const body = files[path];
    if (!body) { res.writeHead(404).end('not found'); return; }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) { res.writeHead(416).end(); return; }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
    }
    const left = cuts.get(path) ?? 0;
    if (left > 0) {
      cuts.set(path, left - 1);
      const half = start + Math.floor((body.length - start) / 2);
      res.write(body.subarray(start, half), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutNext: (path, times) => cuts.set(path, times),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
