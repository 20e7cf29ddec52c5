import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './env.js';

interface KeyPairFile {
  privateKey: string;
  publicKey: string;
}

/**
 * The development Ed25519 key pair in `<home>/keys/`, generated on first use. Several processes
 * may start at once: each writes a temporary file and links it into place, and the loser of the
 * race reads the winner's pair, so every process ends up with the same keys.
 */
function devKeyPair(home: string): KeyPairFile {
  const dir = join(home, 'keys');
  const file = join(dir, 'jwt-ed25519.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pair: KeyPairFile = {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify(pair), { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return JSON.parse(readFileSync(file, 'utf8')) as KeyPairFile;
}

export interface KeyConfig {
  production: boolean;
  home: string;
  privateKeyPem?: string | undefined;
  publicKeyPem?: string | undefined;
}

/** PEM (SPKI) of the access-token verification key. In production it must be configured. */
export function resolvePublicKey(cfg: KeyConfig): string {
  if (cfg.publicKeyPem) return cfg.publicKeyPem;
  if (cfg.privateKeyPem) return createPublicKey(cfg.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  if (cfg.production) throw new ConfigError('JWT_PUBLIC_KEY is required in production');
  return devKeyPair(cfg.home).publicKey;
}

/** PEM (PKCS#8) of the signing key: identity only. In production it must be configured. */
export function resolvePrivateKey(cfg: KeyConfig): string {
  if (cfg.privateKeyPem) return cfg.privateKeyPem;
  if (cfg.production) throw new ConfigError('JWT_PRIVATE_KEY is required in production');
  return devKeyPair(cfg.home).privateKey;
}
