import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Paths never logged: credentials travel in these. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'oldPassword',
  'newPassword',
  'refreshToken',
  'accessToken',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
  'variables.input.password',
  'variables.oldPassword',
  'variables.newPassword',
  'variables.refreshToken',
];

export function createLogger(name: string, level: LevelWithSilent = 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
