/**
 * Key pairs of a build folder: made once per folder (never in the project, never in a cache entry),
 * the private half kept in <build-dir>/keys/ with mode 0600, the public half an input of the recipes
 * that put it into what they make (the guest's authorized_keys), so their signature follows the key.
 * Only the private half lets the runner in; it is never published nor put into an image.
 *
 * guest-ssh: an Ed25519 pair, the private key in Dropbear's format (what dbclient -i reads) and the
 * public key as an OpenSSH authorized_keys line (what dropbear reads).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './atomic.ts';
import { JhError } from '../errors.ts';

export type BuildKeyName = 'guest-ssh';
export const BUILD_KEYS: readonly BuildKeyName[] = ['guest-ssh'];

export interface BuildKeyFiles { readonly privateKey: string; readonly publicKey: string }

export function buildKeyFiles(buildDir: string, name: BuildKeyName): BuildKeyFiles {
  const dir = join(buildDir, 'keys', name);
  return { privateKey: join(dir, 'id_ed25519.dropbear'), publicKey: join(dir, 'id_ed25519.pub') };
}

const ALGORITHM = 'ssh-ed25519';
const sshString = (data: Buffer) => { const length = Buffer.alloc(4); length.writeUInt32BE(data.length); return Buffer.concat([length, data]); };

/** Dropbear's key file: string "ssh-ed25519", string (32-byte seed ‖ 32-byte public key). */
export function dropbearEd25519(seed: Buffer, publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(Buffer.from(ALGORITHM)), sshString(Buffer.concat([seed, publicKey]))]);
}

/** The authorized_keys line: "ssh-ed25519 BASE64(string "ssh-ed25519", string public key) comment". */
export function opensshPublicLine(publicKey: Buffer, comment: string): string {
  return `${ALGORITHM} ${Buffer.concat([sshString(Buffer.from(ALGORITHM)), sshString(publicKey)]).toString('base64')} ${comment}`;
}

/** Reads a Dropbear Ed25519 key back: its seed and public key, or why it is not one. */
function readDropbearEd25519(data: Buffer): { seed: Buffer; publicKey: Buffer } | string {
  if (data.length !== 4 + ALGORITHM.length + 4 + 64) return `${data.length} bytes, not the ${4 + ALGORITHM.length + 4 + 64} of an Ed25519 key`;
  if (data.readUInt32BE(0) !== ALGORITHM.length || data.subarray(4, 4 + ALGORITHM.length).toString() !== ALGORITHM) return `not an ${ALGORITHM} key`;
  const body = 4 + ALGORITHM.length;
  if (data.readUInt32BE(body) !== 64) return 'its key is not 64 bytes';
  return { seed: data.subarray(body + 4, body + 36), publicKey: data.subarray(body + 36, body + 68) };
}

/** Ed25519's public key from its seed (the PKCS#8 wrapping of RFC 8410). */
function publicOf(seed: Buffer): Buffer {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const spki = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

/**
 * The folder's key pair, made when missing. One read back is checked: a private key that is no
 * Ed25519 key, whose public half does not belong to it, or that others may read is refused with the
 * file and the fix (nothing is replaced behind the user's back: images made with it hold its public key).
 */
export function ensureBuildKey(buildDir: string, name: BuildKeyName): BuildKeyFiles {
  const files = buildKeyFiles(buildDir, name);
  const fix = `remove ${join(files.privateKey, '..')} to make a new pair (images built since hold the old public key: rebuild them)`;
  if (!existsSync(files.privateKey)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const seed = Buffer.from(jwk.d!, 'base64url');
    const publicKey = Buffer.from(jwk.x!, 'base64url');
    mkdirSync(join(files.privateKey, '..'), { recursive: true, mode: 0o700 });
    writeAtomic(files.publicKey, `${opensshPublicLine(publicKey, `jhbuild-${name}`)}\n`);
    writeAtomic(files.privateKey, dropbearEd25519(seed, publicKey), 0o600);
    return files;
  }
  const key = readDropbearEd25519(readFileSync(files.privateKey));
  if (typeof key === 'string') throw new JhError('E_BUILD_KEY', `${files.privateKey}: ${key}`, { file: files.privateKey, hint: fix });
  if (statSync(files.privateKey).mode & 0o077) throw new JhError('E_BUILD_KEY', `${files.privateKey} may be read by others`, { file: files.privateKey, hint: `chmod 600 ${files.privateKey}` });
  if (!publicOf(key.seed).equals(key.publicKey)) throw new JhError('E_BUILD_KEY', `${files.privateKey}: its public half does not belong to its private key`, { file: files.privateKey, hint: fix });
  const line = opensshPublicLine(key.publicKey, `jhbuild-${name}`);
  if (!existsSync(files.publicKey) || readFileSync(files.publicKey, 'utf8') !== `${line}\n`) writeAtomic(files.publicKey, `${line}\n`);
  return files;
}
