import type { PostState } from '../store.js';

/**
 * Whether a viewer may see (and so like, bookmark or view) a post, by social's projection of
 * content's events: published, not deleted, and public or the viewer's own. Drafts never reach
 * social. An anonymous post's author is unknown here, so a private anonymous post is visible to
 * no one through social (not even its author).
 */
export function canSeePost(post: PostState, viewerId: string | null): boolean {
  if (post.status !== 'PUBLISHED' || post.deletedAt !== null) return false;
  if (post.visibility === 'PUBLIC') return true;
  return viewerId !== null && post.authorId !== null && post.authorId === viewerId;
}
