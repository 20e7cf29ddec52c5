import { v7 as uuidv7, validate, version } from 'uuid';
import { errors } from './errors.js';

/** Time-ordered UUIDv7: index-friendly primary keys that still reveal nothing but a time. */
export function newId(): string {
  return uuidv7();
}

export function isId(value: string): boolean {
  return validate(value) && version(value) >= 1;
}

/** Validates a client-supplied ID argument: BAD_USER_INPUT naming the argument when malformed. */
export function parseId(value: string, field: string): string {
  if (!isId(value)) throw errors.badInput(field, 'not a valid ID');
  return value.toLowerCase();
}
