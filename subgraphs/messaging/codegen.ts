import { subgraphCodegenConfig } from '@plaza/common/codegen';

export default subgraphCodegenConfig({
  name: 'messaging',
  contextType: '../context.js#MessagingContext',
  mappers: {
    Conversation: '../store.js#ConversationView',
    Message: '../store.js#MessageRow',
    User: '../resolvers.js#UserRef',
  },
});
