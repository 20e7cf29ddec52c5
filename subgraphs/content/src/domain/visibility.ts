import type { PostRow } from '../store.js';

/**
 * Who may see a post at all. Deleted posts are gone; drafts and PRIVATE posts exist for their
 * author only: for anyone else they are answered exactly like posts that never existed.
 */
export function canSeePost(post: PostRow, viewerId: string | null): boolean {
  if (post.deletedAt !== null) return false;
  if (post.status === 'DRAFT' || post.visibility === 'PRIVATE') return viewerId !== null && viewerId === post.authorId;
  return true;
}

/** Whether the viewer may learn who wrote the post: always, unless it is anonymous and not theirs. */
export function canSeePostAuthor(post: PostRow, viewerId: string | null): boolean {
  return !post.anonymous || (viewerId !== null && viewerId === post.authorId);
}
