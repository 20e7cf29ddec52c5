import { z } from 'zod';
import { TOPICS } from '../topics.js';
import { defineEvent, id, timestamp } from './define.js';

const UserSnapshotSchema = z.object({
  userId: id,
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  createdAt: timestamp,
});

/** identity's events: `user.*` on the users topic, keyed by user id. */
export const IDENTITY_EVENTS = {
  'user.registered': defineEvent({
    type: 'user.registered',
    version: 1,
    topic: TOPICS.users,
    schema: UserSnapshotSchema,
    key: (d) => d.userId,
  }),
  'user.updated': defineEvent({
    type: 'user.updated',
    version: 1,
    topic: TOPICS.users,
    schema: UserSnapshotSchema.extend({ updatedAt: timestamp }),
    key: (d) => d.userId,
  }),
} as const;
