import { subgraphCodegenConfig } from '@plaza/common/codegen';

export default subgraphCodegenConfig({
  name: 'search',
  contextType: '../context.js#SearchContext',
  mappers: {
    Post: '../domain/search.js#PostNode',
    User: '../domain/search.js#UserNode',
    Tag: '../domain/search.js#TagNode',
    SearchEdge: '../domain/search.js#SearchEdgeResult',
    SearchConnection: '../domain/search.js#SearchConnectionResult',
  },
});
