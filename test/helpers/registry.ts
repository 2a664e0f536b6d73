/**
 * Debian's docker-registry on 127.0.0.1 for the publish tests: anonymous, with htpasswd (Basic)
 * auth, or with token auth answered by a small token service here that signs ES256 JWTs with a
 * self-signed certificate the registry trusts (the Bearer flow of WWW-Authenticate).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './fixture.ts';

export type RegistryAuth = { kind: 'none' } | { kind: 'htpasswd'; user: string; password: string } | { kind: 'token'; user: string; password: string };

export interface TestRegistry {
  /** host:port */
  readonly host: string;
  /** Token requests the token service answered (for the Bearer test). */
  readonly tokenRequests: string[];
  stop(): Promise<void>;
  /** Resolves once an upload session in the registry's storage holds some bytes: a push is under way. */
  waitForUploadBytes(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Why the registry tests cannot run here, or undefined. */
export function registryMissing(): string | undefined {
  for (const [tool, pkg] of [['docker-registry', 'docker-registry'], ['skopeo', 'skopeo'], ['htpasswd', 'apache2-utils'], ['openssl', 'openssl']]) {
    try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' }); } catch { return `${tool} is not installed (apt-get install ${pkg})`; }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function tokenService(dir: string, auth: { user: string; password: string }, requests: string[]): { server: Server; certFile: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=jhbuild-test-token', '-keyout', join(dir, 'token.key'), '-out', join(dir, 'token.crt')], { stdio: 'pipe' });
  const key = createPrivateKey(readFileSync(join(dir, 'token.key')));
  const der = execFileSync('openssl', ['x509', '-in', join(dir, 'token.crt'), '-outform', 'DER']);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.search);
    const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) { res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}'); return; }
    const [, name, actions] = (url.searchParams.get('scope') ?? '').split(':');
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] }));
    const claims = b64url(JSON.stringify({ iss: 'jhbuild-test-issuer', sub: auth.user, aud: 'jhbuild-test', exp: now + 600, nbf: now - 10, iat: now,
      jti: randomUUID(), access: name ? [{ type: 'repository', name, actions: (actions ?? '').split(',') }] : [] }));
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${header}.${claims}.${b64url(signature)}`, expires_in: 600 }));
  });
  return { server, certFile: join(dir, 'token.crt') };
}

export async function startRegistry(auth: RegistryAuth = { kind: 'none' }): Promise<TestRegistry> {
  const dir = tempDir('jhbuild-registry-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tokenRequests: string[] = [];
  let authBlock = '';
  let token: Server | undefined;
  if (auth.kind === 'htpasswd') {
    writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', auth.user, auth.password]));
    authBlock = `auth:\n  htpasswd:\n    realm: jhbuild-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth.kind === 'token') {
    const t = tokenService(dir, auth, tokenRequests);
    token = t.server;
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    const tport = (t.server.address() as AddressInfo).port;
    authBlock = `auth:\n  token:\n    realm: http://127.0.0.1:${tport}/token\n    service: jhbuild-test\n    issuer: jhbuild-test-issuer\n    rootcertbundle: ${t.certFile}\n`;
  }
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n` +
    `http:\n  addr: ${host}\n${authBlock}`);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d) => { log += d; });
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`http://${host}/v2/`);
        if (r.status === 200 || r.status === 401) return;
      } catch { /* not yet */ }
      if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`docker-registry did not answer on ${host}: ${log}`);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const done = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await done;
  };
  const waitForUploadBytes = async () => {
    const uploads = (d: string): string[] => {
      if (!existsSync(d)) return [];
      return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? uploads(join(d, e.name)) : d.includes('_uploads') && e.name === 'data' ? [join(d, e.name)] : []));
    };
    for (;;) {
      if (uploads(join(dir, 'data')).some((f) => statSync(f).size > 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await start();
  return {
    host, tokenRequests, start, stop, waitForUploadBytes,
    async close() { await stop(); if (token) await new Promise((resolve) => token!.close(resolve)); },
  };
}
