import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { createStoreBase, newId, PG_UNIQUE_VIOLATION, pgErrorCode, errors, type Pool, type StoreDb, type StoreTx } from '@plaza/common';
import * as schema from './db/schema.js';
import { outbox, refreshTokens, sessions, users, type UserRow } from './db/schema.js';

export type IdentityDb = StoreDb<typeof schema>;
export type IdentityTx = StoreTx<typeof schema>;
type Db = IdentityDb | IdentityTx;

export type { UserRow };

export interface RefreshTokenState {
  id: string;
  sessionId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  sessionRevokedAt: Date | null;
}

/**
 * Every read and write of the identity schema. `onEventsCommitted` runs after a transaction that
 * wrote events commits (to wake the outbox relay).
 */
export function createIdentityStore(pool: Pool, onEventsCommitted?: () => void) {
  const { db, transaction, enqueue } = createStoreBase({ pool, schema, outbox, onEventsCommitted });

  return {
    transaction,

    usersByIds: (ids: readonly string[]) => db.select().from(users).where(inArray(users.id, [...ids])),

    async userByUsername(username: string, tx: Db = db): Promise<UserRow | null> {
      const [row] = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.username}) = lower(${username})`)
        .limit(1);
      return row ?? null;
    },

    async insertUser(tx: Db, row: Omit<UserRow, 'createdAt' | 'updatedAt'>): Promise<UserRow> {
      try {
        const [inserted] = await tx.insert(users).values(row).returning();
        return inserted!;
      } catch (err) {
        if (pgErrorCode(err) === PG_UNIQUE_VIOLATION || pgErrorCode((err as { cause?: unknown }).cause) === PG_UNIQUE_VIOLATION) {
          throw errors.conflict('username', 'That username is taken.');
        }
        throw err;
      }
    },

    async updateUser(
      tx: Db,
      id: string,
      patch: Partial<Pick<UserRow, 'displayName' | 'bio' | 'avatarUrl' | 'passwordHash'>>,
    ): Promise<UserRow | null> {
      const [row] = await tx
        .update(users)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning();
      return row ?? null;
    },

    async createSession(tx: Db, userId: string): Promise<string> {
      const id = newId();
      await tx.insert(sessions).values({ id, userId });
      return id;
    },

    async insertRefreshToken(tx: Db, sessionId: string, tokenHash: string, expiresAt: Date): Promise<void> {
      await tx.insert(refreshTokens).values({ id: newId(), sessionId, tokenHash, expiresAt });
    },

    /**
     * Locks the token's row (and its session's) so two rotations of one token are serialised.
     * (`FOR UPDATE OF <table>` is not used: drizzle qualifies the name, which Postgres refuses.)
     */
    async refreshTokenForUpdate(tx: IdentityTx, tokenHash: string): Promise<RefreshTokenState | null> {
      const [row] = await tx
        .select({
          id: refreshTokens.id,
          sessionId: refreshTokens.sessionId,
          userId: sessions.userId,
          expiresAt: refreshTokens.expiresAt,
          usedAt: refreshTokens.usedAt,
          sessionRevokedAt: sessions.revokedAt,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for('update');
      return row ?? null;
    },

    async markRefreshTokenUsed(tx: Db, id: string): Promise<void> {
      await tx.update(refreshTokens).set({ usedAt: new Date() }).where(eq(refreshTokens.id, id));
    },

    async sessionOwner(sessionId: string): Promise<string | null> {
      const [row] = await db.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.id, sessionId));
      return row?.userId ?? null;
    },

    async revokeSessions(tx: Db, ids: readonly string[], reason: string): Promise<void> {
      if (ids.length === 0) return;
      await tx
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: reason })
        .where(and(inArray(sessions.id, [...ids]), isNull(sessions.revokedAt)));
    },

    async activeSessionIds(userId: string, exceptId?: string): Promise<string[]> {
      const rows = await db
        .select({ id: sessions.id })
        .from(sessions)
        .where(
          and(eq(sessions.userId, userId), isNull(sessions.revokedAt), exceptId ? ne(sessions.id, exceptId) : undefined),
        );
      return rows.map((r) => r.id);
    },

    enqueue,
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
