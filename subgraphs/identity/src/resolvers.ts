import { DateTimeScalar, isId, parseId, requireViewer } from '@plaza/common';
import type { Resolvers } from './__generated__/resolvers.js';
import { UsernameSchema } from './domain/validation.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    viewer: (_, __, ctx) => (ctx.viewer ? ctx.loaders.userById.load(ctx.viewer.userId) : null),
    user: (_, { id }, ctx) => ctx.loaders.userById.load(parseId(id, 'id')),
    userByUsername: (_, { username }, ctx) => {
      const parsed = UsernameSchema.safeParse(username);
      return parsed.success ? ctx.store.userByUsername(parsed.data) : null;
    },
  },
  Mutation: {
    register: (_, { input }, ctx) => ctx.accounts.register(input),
    login: (_, { input }, ctx) => ctx.accounts.login(input, ctx.clientIp),
    refreshToken: (_, { refreshToken }, ctx) => ctx.accounts.refresh(refreshToken),
    logout: (_, { refreshToken }, ctx) => ctx.accounts.logout(ctx.viewer, refreshToken),
    updateProfile: (_, { input }, ctx) => ctx.accounts.updateProfile(requireViewer(ctx), input),
    changePassword: (_, { oldPassword, newPassword }, ctx) =>
      ctx.accounts.changePassword(requireViewer(ctx), oldPassword, newPassword, ctx.clientIp),
  },
  User: {
    __resolveReference: (ref, ctx) => (isId(ref.id) ? ctx.loaders.userById.load(ref.id.toLowerCase()) : null),
  },
};
