import { z } from 'zod';
import { codePoints, isHttpUrl } from '@plaza/common';

export const TITLE_MAX = 100;
export const POST_BODY_MAX = 20_000;
export const COMMENT_BODY_MAX = 2_000;
export const TAGS_MAX = 10;
export const TAG_MAX = 30;
export const MEDIA_URLS_MAX = 9;
/** Longest media URL accepted, in characters: the usual browser limit. */
export const MEDIA_URL_MAX = 2_048;

/**
 * Text kept exactly as written (no trimming, no HTML handling): it must hold something besides
 * white space and be at most `max` code points long.
 */
const verbatimText = (max: number) =>
  z
    .string()
    .refine((s) => s.trim() !== '', 'must not be empty')
    .refine((s) => codePoints(s) <= max, `must be at most ${max} characters`);

export const TitleSchema = verbatimText(TITLE_MAX);
export const PostBodySchema = verbatimText(POST_BODY_MAX);
export const CommentBodySchema = verbatimText(COMMENT_BODY_MAX);

/**
 * A tag name as stored: NFKC (so a full-width ＃ or Ｔａｇ becomes # or tag), trimmed,
 * lower-cased, one leading `#` dropped; 1–30 code points, no control characters. Returns null
 * when nothing valid is left.
 */
export function normalizeTag(raw: string): string | null {
  let tag = raw.normalize('NFKC').trim().toLowerCase();
  if (tag.startsWith('#')) tag = tag.slice(1).trim();
  if (tag === '' || codePoints(tag) > TAG_MAX || /\p{Cc}/u.test(tag)) return null;
  return tag;
}

const TagSchema = z.string().transform((raw, ctx) => {
  const tag = normalizeTag(raw);
  if (tag === null) {
    ctx.addIssue({ code: 'custom', message: `must be 1–${TAG_MAX} characters after trimming and dropping a leading #` });
    return z.NEVER;
  }
  return tag;
});

/** Tags normalised, duplicates merged in first-seen order, then at most 10. */
export const TagsSchema = z
  .array(TagSchema)
  .transform((tags) => [...new Set(tags)])
  .refine((tags) => tags.length <= TAGS_MAX, `must be at most ${TAGS_MAX} distinct tags`);

export const MediaUrlSchema = z
  .string()
  .trim()
  .refine((s) => s.length <= MEDIA_URL_MAX, `must be at most ${MEDIA_URL_MAX} characters`)
  .refine(isHttpUrl, 'must be an http(s) URL');

export const MediaUrlsSchema = z
  .array(MediaUrlSchema)
  .refine((urls) => urls.length <= MEDIA_URLS_MAX, `must be at most ${MEDIA_URLS_MAX} URLs`);

const VisibilitySchema = z.enum(['PUBLIC', 'PRIVATE']);

/** GraphQL defaults fill omitted fields; an explicit null means the default too. */
export const CreatePostInputSchema = z.object({
  title: TitleSchema,
  body: PostBodySchema,
  tags: TagsSchema.nullish().transform((v) => v ?? []),
  mediaUrls: MediaUrlsSchema.nullish().transform((v) => v ?? []),
  visibility: VisibilitySchema.nullish().transform((v) => v ?? 'PUBLIC'),
  anonymous: z.boolean().nullish().transform((v) => v ?? false),
  publish: z.boolean().nullish().transform((v) => v ?? true),
});

/** Omitted or null fields stay as they are; `tags: []` and `mediaUrls: []` clear them. */
export const UpdatePostInputSchema = z.object({
  title: TitleSchema.nullish(),
  body: PostBodySchema.nullish(),
  tags: TagsSchema.nullish(),
  mediaUrls: MediaUrlsSchema.nullish(),
  visibility: VisibilitySchema.nullish(),
});

export const AddCommentInputSchema = z.object({
  body: CommentBodySchema,
  anonymous: z.boolean().nullish().transform((v) => v ?? false),
});

export type CreatePostInput = z.infer<typeof CreatePostInputSchema>;
export type UpdatePostInput = z.infer<typeof UpdatePostInputSchema>;
