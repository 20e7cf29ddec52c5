import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';

/**
 * Random operations over an API schema, driven by a list of choices (so fast-check can generate
 * and shrink them): random subsets of fields, aliases (some colliding on purpose with the same
 * field), `__typename`, inline fragments on every possible type of abstract fields, and @include /
 * @skip on literals and on two Boolean variables.
 */
export interface RandomOperation {
  query: string;
  variables: Record<string, unknown>;
}

/** Argument values for the shop, media and guild fixture graphs, by name: known ids, unknown ones, and values subgraphs refuse. */
export const FIXTURE_ARGUMENTS: Record<string, readonly unknown[]> = {
  id: ['p1', 'p2', 'p5', 'p7', 'm1', 'm4', 'm5', '1', '2', 'nope'],
  currency: ['EUR', 'USD', 'XXX'],
  zip: ['75001'],
  term: ['e', 'a', 'zz'],
  first: [1, 3],
};

export function createOperationGenerator(schema: GraphQLSchema, argumentValues: Record<string, readonly unknown[]>) {
  return (choices: readonly number[], flags: { a: boolean; b: boolean }): RandomOperation => {
    let cursor = 0;
    const next = (n: number): number => (n <= 1 ? 0 : (choices[cursor++ % choices.length] ?? 0) % n);
    const chance = (percent: number) => next(100) < percent;
    let aliasCount = 0;
    const used = new Set<'a' | 'b'>();

    const directive = (): string => {
      if (!chance(20)) return '';
      const which = next(4);
      if (which === 0) used.add('a');
      if (which === 1) used.add('b');
      return which === 0 ? ' @include(if: $a)' : which === 1 ? ' @skip(if: $b)' : which === 2 ? ' @include(if: true)' : ' @skip(if: false)';
    };

    const args = (field: GraphQLField<unknown, unknown>): string | undefined => {
      const parts: string[] = [];
      for (const arg of field.args) {
        const pool = argumentValues[arg.name];
        if (!pool) {
          if (isNonNullType(arg.type) && arg.defaultValue === undefined) return undefined;
          continue;
        }
        if (!isNonNullType(arg.type) && !chance(60)) continue;
        parts.push(`${arg.name}: ${JSON.stringify(pool[next(pool.length)])}`);
      }
      return parts.length ? `(${parts.join(', ')})` : '';
    };

    const selection = (type: GraphQLCompositeType, depth: number): string => {
      const items: string[] = [];
      if (chance(25)) items.push(`${chance(30) ? 'tn: ' : ''}__typename`);
      if (!isAbstractType(type) || isInterfaceType(type)) {
        const fields = Object.values((type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()).filter(
          (f) => !f.name.startsWith('__'),
        );
        const count = 1 + next(Math.min(fields.length, 4));
        // Distinct fields (the same field twice with other arguments would not validate).
        const pool = fields.slice();
        for (let i = 0; i < count && pool.length > 0; i++) {
          const field = pool.splice(next(pool.length), 1)[0]!;
          const a = args(field);
          if (a === undefined) continue;
          const named = getNamedType(field.type);
          if (isCompositeType(named) && depth >= 4) continue;
          const alias = chance(15) ? `x${aliasCount++}: ` : '';
          const sub = isCompositeType(named) ? ` { ${selection(named, depth + 1)} }` : isLeafType(getNullableType(field.type)) ? '' : '';
          items.push(`${alias}${field.name}${a}${directive()}${sub}`);
        }
      }
      if (isAbstractType(type)) {
        for (const possible of schema.getPossibleTypes(type)) {
          if (chance(70)) items.push(`... on ${possible.name}${directive()} { ${selection(possible, depth + 1)} }`);
        }
      } else if (isObjectType(type) && chance(10)) {
        items.push(`...${directive()} { ${selection(type, depth + 1)} }`);
      }
      if (items.length === 0) items.push('__typename');
      return items.join(' ');
    };

    const body = selection(schema.getQueryType()!, 0);
    // Only the variables used may be declared.
    const declared = [...used].sort().map((v) => `$${v}: Boolean!`);
    const variables = Object.fromEntries([...used].map((v) => [v, flags[v]]));
    return { query: `query Random${declared.length ? `(${declared.join(', ')})` : ''} { ${body} }`, variables };
  };
}
