import { z } from 'zod';
import { codePoints, isHttpUrl } from '@plaza/common';

export const UsernameSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9_]{3,30}$/, 'must be 3–30 characters of a–z, 0–9 and _'));

export const PasswordSchema = z
  .string()
  .refine((s) => codePoints(s) >= 8, 'must be at least 8 characters')
  .refine((s) => codePoints(s) <= 128, 'must be at most 128 characters');

export const DisplayNameSchema = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => codePoints(s) >= 1, 'must not be empty')
  .refine((s) => codePoints(s) <= 50, 'must be at most 50 characters');

export const BioSchema = z.string().refine((s) => codePoints(s) <= 500, 'must be at most 500 characters');

export const AvatarUrlSchema = z
  .string()
  .trim()
  .refine((s) => s === '' || isHttpUrl(s), 'must be an http(s) URL')
  .refine((s) => s.length <= 2048, 'must be at most 2048 characters')
  .transform((s) => (s === '' ? null : s));

export const RegisterInputSchema = z.object({
  username: UsernameSchema,
  password: PasswordSchema,
  displayName: DisplayNameSchema.nullish(),
});

export const UpdateProfileInputSchema = z.object({
  displayName: DisplayNameSchema.nullish(),
  bio: BioSchema.nullish(),
  avatarUrl: AvatarUrlSchema.nullish(),
});

export type RegisterInput = z.infer<typeof RegisterInputSchema>;
export type UpdateProfileInput = z.infer<typeof UpdateProfileInputSchema>;
