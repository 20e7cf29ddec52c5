import { subgraphCodegenConfig } from '@plaza/common/codegen';

export default subgraphCodegenConfig({
  name: 'social',
  contextType: '../context.js#SocialContext',
  mappers: {
    Post: '../domain/refs.js#PostRef',
    User: '../domain/refs.js#UserRef',
  },
});
