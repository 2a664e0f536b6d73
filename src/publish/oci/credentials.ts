/**
 * Registry credentials, looked up the way container tools do: the environment first (CI secrets),
 * then the user's auth files (skopeo/podman auth.json, Docker's config.json) and their credential
 * helpers. The secret is only ever handed to the registry client; `source` says where it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { JhError } from '../../errors.ts';
import { runProcess } from '../../exec/index.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Where they were found, for messages: never the secret. */
  readonly source: string;
}

export const USER_VARIABLE = 'JHBUILD_REGISTRY_USER';
export const PASSWORD_VARIABLE = 'JHBUILD_REGISTRY_PASSWORD';

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** auth files in the order container tools read them. */
export function authFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? homedir();
  return [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR && join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'),
    join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'containers', 'auth.json'),
    join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json'),
  ].filter((f): f is string => Boolean(f));
}

function entryFor(auths: NonNullable<AuthFile['auths']>, registry: string) {
  for (const [key, value] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (host === registry) return value;
  }
  return undefined;
}

async function fromHelper(helper: string, registry: string, file: string): Promise<Credentials> {
  const program = `docker-credential-${helper}`;
  let out: string;
  try { out = await runProcess(program, ['get'], { input: registry }); } catch {
    throw new JhError('E_OCI_CREDENTIALS', `${file} names the credential helper ${program} for ${registry}, and it gave no credentials`, {
      hint: `check that ${program} is installed and logged in, or set ${USER_VARIABLE} and ${PASSWORD_VARIABLE}` });
  }
  const answer = JSON.parse(out) as { Username?: string; Secret?: string };
  return { username: answer.Username ?? '', password: answer.Secret ?? '', source: `${program} (named in ${file})` };
}

export async function findCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const user = env[USER_VARIABLE];
  const password = env[PASSWORD_VARIABLE];
  if (user && password) return { username: user, password, source: `${USER_VARIABLE}/${PASSWORD_VARIABLE}` };
  if (user || password) {
    throw new JhError('E_OCI_CREDENTIALS', `only one of ${USER_VARIABLE} and ${PASSWORD_VARIABLE} is set`, { hint: 'set both, or neither to use your auth files' });
  }
  for (const file of authFiles(env)) {
    if (!existsSync(file)) continue;
    let config: AuthFile;
    try { config = JSON.parse(readFileSync(file, 'utf8')) as AuthFile; } catch (error) {
      throw new JhError('E_OCI_CREDENTIALS', `cannot read ${file}: ${(error as Error).message}`, { file, hint: 'fix or remove the file' });
    }
    const helper = config.credHelpers?.[registry];
    if (helper) return fromHelper(helper, registry, file);
    const entry = entryFor(config.auths ?? {}, registry);
    if (entry?.auth) {
      const text = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1), source: file };
    }
    if (entry?.username && entry.password) return { username: entry.username, password: entry.password, source: file };
    if (!entry && config.credsStore) {
      try { return await fromHelper(config.credsStore, registry, file); } catch { /* the store knows nothing of this registry */ }
    }
  }
  return undefined;
}
