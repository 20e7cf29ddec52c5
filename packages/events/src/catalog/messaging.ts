import { z } from 'zod';
import { TOPICS } from '../topics.js';
import { defineEvent, id, timestamp } from './define.js';

/** messaging's events, keyed by conversation so one conversation's messages stay in order. */
export const MESSAGING_EVENTS = {
  'message.sent': defineEvent({
    type: 'message.sent',
    version: 1,
    topic: TOPICS.messages,
    schema: z.object({
      messageId: id,
      conversationId: id,
      senderId: id,
      recipientId: id,
      body: z.string(),
      clientMessageId: z.string().nullable(),
      createdAt: timestamp,
    }),
    key: (d) => d.conversationId,
  }),
} as const;
