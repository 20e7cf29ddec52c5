import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, resolvePrivateKey, resolvePublicKey } from '../src/index.js';

const home = mkdtempSync(join(tmpdir(), 'plaza-keys-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('JWT keys', () => {
  it('refuses to start in production without configured keys', () => {
    expect(() => resolvePrivateKey({ production: true, home })).toThrow(ConfigError);
    expect(() => resolvePublicKey({ production: true, home })).toThrow(ConfigError);
  });

  it('generates one development key pair on first use and reuses it', () => {
    const privateKey = resolvePrivateKey({ production: false, home });
    expect(privateKey).toContain('BEGIN PRIVATE KEY');
    expect(resolvePrivateKey({ production: false, home })).toBe(privateKey);
    expect(resolvePublicKey({ production: false, home })).toContain('BEGIN PUBLIC KEY');
  });

  it('derives the public key from a configured private key', () => {
    const other = mkdtempSync(join(tmpdir(), 'plaza-keys-'));
    const privateKeyPem = resolvePrivateKey({ production: false, home: other });
    expect(resolvePublicKey({ production: true, home, privateKeyPem })).toBe(resolvePublicKey({ production: false, home: other }));
    rmSync(other, { recursive: true, force: true });
  });
});
