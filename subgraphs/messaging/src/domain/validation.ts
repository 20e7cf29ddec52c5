import { z } from 'zod';
import { codePoints, isId } from '@plaza/common';

/** Longest message, in code points after trimming (an emoji or a CJK character is one). */
export const MESSAGE_BODY_MAX = 2_000;
/** Longest idempotency key, in code points. */
export const CLIENT_MESSAGE_ID_MAX = 100;

/**
 * A message body is kept exactly as sent; only the length rule looks at the trimmed text:
 * 1–2,000 code points once leading and trailing white space is ignored.
 */
export const MessageBodySchema = z
  .string()
  .refine((s) => s.trim() !== '', 'must not be empty')
  .refine((s) => codePoints(s.trim()) <= MESSAGE_BODY_MAX, `must be at most ${MESSAGE_BODY_MAX} characters`);

export const ClientMessageIdSchema = z
  .string()
  .refine((s) => s !== '', 'must not be empty')
  .refine((s) => codePoints(s) <= CLIENT_MESSAGE_ID_MAX, `must be at most ${CLIENT_MESSAGE_ID_MAX} characters`);

export const SendMessageInputSchema = z.object({
  toUserId: z
    .string()
    .refine(isId, 'not a valid ID')
    .transform((id) => id.toLowerCase()),
  body: MessageBodySchema,
  clientMessageId: ClientMessageIdSchema.nullish().transform((v) => v ?? null),
});

export type SendMessageInput = z.infer<typeof SendMessageInputSchema>;
