import { DateTimeScalar, isId, parseId, requireViewer, type GraphQLResolverMap } from '@plaza/common';
import { UsernameSchema } from './domain/validation.js';
import type { IdentityContext } from './context.js';
import type { UserRow } from './store.js';

interface Args<T> {
  input: T;
}

export const resolvers: GraphQLResolverMap<IdentityContext> = {
  DateTime: DateTimeScalar,
  Query: {
    viewer: (_: unknown, __: unknown, ctx: IdentityContext) => (ctx.viewer ? ctx.loaders.userById.load(ctx.viewer.userId) : null),
    user: (_: unknown, { id }: { id: string }, ctx: IdentityContext) => ctx.loaders.userById.load(parseId(id, 'id')),
    userByUsername: (_: unknown, { username }: { username: string }, ctx: IdentityContext) => {
      const parsed = UsernameSchema.safeParse(username);
      return parsed.success ? ctx.store.userByUsername(parsed.data) : null;
    },
  },
  Mutation: {
    register: (_: unknown, { input }: Args<unknown>, ctx: IdentityContext) => ctx.accounts.register(input),
    login: (_: unknown, { input }: Args<{ username: string; password: string }>, ctx: IdentityContext) =>
      ctx.accounts.login(input, ctx.clientIp),
    refreshToken: (_: unknown, { refreshToken }: { refreshToken: string }, ctx: IdentityContext) =>
      ctx.accounts.refresh(refreshToken),
    logout: (_: unknown, { refreshToken }: { refreshToken?: string | null }, ctx: IdentityContext) =>
      ctx.accounts.logout(ctx.viewer, refreshToken),
    updateProfile: (_: unknown, { input }: Args<unknown>, ctx: IdentityContext) =>
      ctx.accounts.updateProfile(requireViewer(ctx), input),
    changePassword: (
      _: unknown,
      { oldPassword, newPassword }: { oldPassword: string; newPassword: string },
      ctx: IdentityContext,
    ) => ctx.accounts.changePassword(requireViewer(ctx), oldPassword, newPassword, ctx.clientIp),
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: IdentityContext) =>
      isId(ref.id) ? ctx.loaders.userById.load(ref.id.toLowerCase()) : null,
    avatarUrl: (user: UserRow) => user.avatarUrl,
  },
};
