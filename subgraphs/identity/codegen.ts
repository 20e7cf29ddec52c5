import { subgraphCodegenConfig } from '@plaza/common/codegen';

export default subgraphCodegenConfig({
  name: 'identity',
  contextType: '../context.js#IdentityContext',
  mappers: { User: '../store.js#UserRow', AuthPayload: '../domain/accounts.js#AuthResult' },
});
