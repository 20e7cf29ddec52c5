import { subgraphCodegenConfig } from '@plaza/common/codegen';

export default subgraphCodegenConfig({
  name: 'content',
  contextType: '../context.js#ContentContext',
  mappers: {
    Post: '../store.js#PostRow',
    Comment: '../store.js#CommentRow',
    Tag: '../resolvers.js#TagRef',
    User: '../resolvers.js#UserRef',
  },
});
