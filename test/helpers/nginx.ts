/** Debian's nginx on 127.0.0.1 serving a folder with WebDAV PUT: the remote cache of the cache tests. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './fixture.ts';

export interface WebDavServer {
  readonly url: string;
  /** The folder nginx serves (what the cache holds). */
  readonly root: string;
  stop(): Promise<void>;
}

export function nginxMissing(): string | undefined {
  try { execFileSync('sh', ['-c', 'command -v nginx'], { stdio: 'pipe' }); } catch { return 'nginx is not installed (apt-get install nginx-light)'; }
  return undefined;
}

export async function startWebDav(): Promise<WebDavServer> {
  const dir = tempDir('jhbuild-nginx-');
  const root = join(dir, 'root');
  mkdirSync(root);
  mkdirSync(join(dir, 'tmp'));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, 'tmp', t)};`).join('\n  ');
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {}
http {
  access_log off;
  ${temps}
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      client_max_body_size 0;
    }
  }
}
`);
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/jhbuild-cache/`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(`http://127.0.0.1:${port}/`); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  return {
    url, root: join(root, 'jhbuild-cache'),
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await done;
    },
  };
}
