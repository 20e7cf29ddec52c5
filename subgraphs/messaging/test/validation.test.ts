import { describe, expect, it } from 'vitest';
import { ClientMessageIdSchema, MessageBodySchema, SendMessageInputSchema } from '../src/domain/validation.js';

describe('message bodies', () => {
  it('should accept 1 to 2,000 code points after trimming and keep the body exactly as sent', () => {
    for (const body of ['a', ' a ', '\n你好\n', `${'😀'.repeat(2_000)}  `, `  ${'x'.repeat(2_000)}`]) {
      expect(MessageBodySchema.parse(body)).toBe(body);
    }
  });

  it('should refuse an empty or blank body and one over 2,000 code points after trimming', () => {
    for (const body of ['', ' ', '\t\n ', 'x'.repeat(2_001), ` ${'字'.repeat(2_001)} `]) {
      expect(MessageBodySchema.safeParse(body).success).toBe(false);
    }
  });
});

describe('send input', () => {
  it('should lower-case the recipient id and default a missing clientMessageId to null', () => {
    const id = '01A20809-8E56-7646-AA8A-475A6705FFC1';
    expect(SendMessageInputSchema.parse({ toUserId: id, body: 'hi' })).toEqual({ toUserId: id.toLowerCase(), body: 'hi', clientMessageId: null });
    expect(SendMessageInputSchema.parse({ toUserId: id, body: 'hi', clientMessageId: null }).clientMessageId).toBeNull();
  });

  it('should refuse a malformed recipient id and an empty or over-long clientMessageId', () => {
    expect(SendMessageInputSchema.safeParse({ toUserId: 'nope', body: 'hi' }).success).toBe(false);
    expect(ClientMessageIdSchema.safeParse('').success).toBe(false);
    expect(ClientMessageIdSchema.safeParse('k'.repeat(101)).success).toBe(false);
    expect(ClientMessageIdSchema.parse('k'.repeat(100))).toHaveLength(100);
  });
});
