import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { social } from '../src/index.js';
import { SocialEnvShape } from '../src/settings.js';

const home = () => mkdtempSync(join(tmpdir(), 'plaza-social-'));

describe('social configuration', () => {
  it('has working defaults and listens on 4003, as the checked-in supergraph expects', () => {
    const config = social.loadConfig({ PLAZA_HOME: home() });
    expect(config.server.port).toBe(4003);
    expect(config.settings).toMatchObject({
      feed: { fanoutThreshold: 10_000, inboxSize: 800 },
      views: { windowSeconds: 1_800 },
      hot: { halfLifeHours: 24, windowHours: 168 },
      workers: true,
    });
  });

  it('stops at a bad value naming the variable', () => {
    expect(() => social.loadConfig({ PLAZA_HOME: home(), FEED_FANOUT_THRESHOLD: 'many' })).toThrow(/FEED_FANOUT_THRESHOLD/);
    expect(() => social.loadConfig({ PLAZA_HOME: home(), HOT_HALF_LIFE_HOURS: '0' })).toThrow(/HOT_HALF_LIFE_HOURS/);
    expect(() => social.loadConfig({ PLAZA_HOME: home(), SOCIAL_WORKERS: 'maybe' })).toThrow(/SOCIAL_WORKERS/);
  });

  it('documents every one of its variables in .env.example', () => {
    const example = readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8');
    for (const name of Object.keys(SocialEnvShape)) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
