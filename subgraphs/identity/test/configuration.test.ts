import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identity } from '../src/index.js';
import { UsernameSchema } from '../src/domain/validation.js';

const home = () => mkdtempSync(join(tmpdir(), 'plaza-identity-'));

describe('identity configuration', () => {
  it('refuses to configure a production process without a signing key, before anything starts', () => {
    expect(() => identity.loadConfig({ NODE_ENV: 'production', PLAZA_HOME: home() })).toThrow(/JWT_PRIVATE_KEY is required in production/);
  });

  it('derives the verification key from a configured signing key in production', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = identity.loadConfig({ NODE_ENV: 'production', PLAZA_HOME: home(), JWT_PRIVATE_KEY: pem });
    expect(config.runtime.auth.privateKeyPem).toBe(pem);
    expect(config.settings.privateKeyPem).toBe(pem);
  });

  it('stops at a bad value naming the variable', () => {
    expect(() => identity.loadConfig({ PLAZA_HOME: home(), ACCESS_TOKEN_TTL_SECONDS: 'soon' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS/);
    expect(() => identity.loadConfig({ PLAZA_HOME: home(), PORT: '-1' })).toThrow(/PORT/);
  });

  it('listens on 4001 by default, as the checked-in supergraph expects', () => {
    expect(identity.loadConfig({ PLAZA_HOME: home() }).server.port).toBe(4001);
  });
});

describe('usernames', () => {
  it('are 3-30 characters of a-z, 0-9 and _, compared lower-cased', () => {
    expect(UsernameSchema.parse('Alice_01')).toBe('alice_01');
    for (const bad of ['ab', 'a'.repeat(31), 'bad name', 'ünïcode', '小明']) expect(UsernameSchema.safeParse(bad).success).toBe(false);
  });
});
