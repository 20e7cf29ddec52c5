import type { GraphQLSchema } from 'graphql';
import { isAbstractType, isInterfaceType, isObjectType } from './graphql-runtime.js';
import type { FetchDataRewrite } from '@apollo/query-planner';

/**
 * Input/output rewrites of a fetch (e.g. `__typename` of an @interfaceObject, or aliases the
 * planner introduced), with the semantics of @apollo/gateway's dataRewrites.ts, but with each
 * rewrite's path parsed once per cached plan instead of on every object.
 */
export type Rewriter = (value: unknown) => void;

const FRAGMENT_PREFIX = '... on ';
type Step = { kind: 'field'; name: string } | { kind: 'type'; name: string };

/** `isObjectOfType` of dataRewrites.ts, against the supergraph (rewrites may name @inaccessible types). */
export function createObjectOfType(schema: GraphQLSchema): (obj: Record<string, unknown>, condition: string, unknownDefault: boolean) => boolean {
  const memo = new Map<string, boolean>();
  return (obj, condition, unknownDefault) => {
    const typename = obj.__typename;
    if (!typename) return unknownDefault;
    if (typename === condition) return true;
    if (typeof typename !== 'string') return false;
    const key = `${typename}\0${condition}`;
    let answer = memo.get(key);
    if (answer === undefined) {
      const type = schema.getType(typename);
      const conditional = schema.getType(condition);
      answer =
        !!type &&
        !!conditional &&
        isAbstractType(conditional) &&
        (isObjectType(type) || isInterfaceType(type)) &&
        schema.isSubType(conditional, type);
      memo.set(key, answer);
    }
    return answer;
  };
}

function parse(element: string): Step {
  return element.startsWith(FRAGMENT_PREFIX) ? { kind: 'type', name: element.slice(FRAGMENT_PREFIX.length) } : { kind: 'field', name: element };
}

function compileOne(rewrite: FetchDataRewrite, objectOfType: ReturnType<typeof createObjectOfType>): Rewriter | undefined {
  if (rewrite.path.length === 0) return undefined;
  const steps = rewrite.path.slice(0, -1).map(parse);
  const last = parse(rewrite.path[rewrite.path.length - 1]!);
  if (last.kind !== 'field') throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(',')}`);
  const field = last.name;
  const defineOwn = (obj: Record<string, unknown>, key: string) => {
    if (!Object.hasOwn(obj, key) && key in obj) {
      Object.defineProperty(obj, key, { configurable: true, enumerable: true, value: undefined, writable: true });
    }
  };
  const atPath: (obj: Record<string, unknown>) => void =
    rewrite.kind === 'ValueSetter'
      ? (obj) => {
          defineOwn(obj, field);
          obj[field] = rewrite.setValueTo;
        }
      : (obj) => {
          const value = Object.hasOwn(obj, field) ? obj[field] : undefined;
          if (value) {
            defineOwn(obj, rewrite.renameKeyTo);
            obj[rewrite.renameKeyTo] = value;
            obj[field] = undefined;
          }
        };
  const apply = (value: unknown, index: number): void => {
    if (Array.isArray(value)) {
      for (const element of value) apply(element, index);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Record<string, unknown>;
    if (index === steps.length) {
      atPath(obj);
      return;
    }
    const step = steps[index]!;
    if (step.kind === 'field') apply(Object.hasOwn(obj, step.name) ? obj[step.name] : undefined, index + 1);
    // Objects without a __typename are rewritten anyway, as Apollo does.
    else if (objectOfType(obj, step.name, true)) apply(obj, index + 1);
  };
  return (value) => apply(value, 0);
}

export function compileRewrites(
  rewrites: FetchDataRewrite[] | undefined,
  objectOfType: ReturnType<typeof createObjectOfType>,
): Rewriter | undefined {
  if (!rewrites || rewrites.length === 0) return undefined;
  const compiled = rewrites.map((r) => compileOne(r, objectOfType)).filter((r): r is Rewriter => r !== undefined);
  if (compiled.length === 0) return undefined;
  return (value) => {
    for (const r of compiled) r(value);
  };
}
