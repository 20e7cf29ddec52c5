import { getResponseName, type QueryPlanSelectionNode } from '@apollo/query-planner';
import { deepMerge } from './merge.js';
import type { createObjectOfType } from './rewrites.js';

/**
 * A compiled projector for a fetch's `requires` (the representation of an entity: its key fields,
 * `__typename`, and fields other subgraphs need), with the semantics of @apollo/gateway's
 * `executeSelectionSet` (executeQueryPlan.ts): a missing input makes the whole representation
 * null (the entity is skipped), type conditions are checked against the supergraph.
 */
export type Projector = (source: unknown) => Record<string, unknown> | null;

interface FieldStep {
  kind: 'field';
  name: string;
  sub: Projector | undefined;
}
interface FragmentStep {
  kind: 'fragment';
  typeCondition: string | undefined;
  sub: Projector;
}

export function compileProjector(
  selections: readonly QueryPlanSelectionNode[],
  objectOfType: ReturnType<typeof createObjectOfType>,
): Projector {
  const steps: (FieldStep | FragmentStep)[] = selections.map((s) =>
    s.kind === 'Field'
      ? { kind: 'field', name: getResponseName(s), sub: s.selections ? compileProjector(s.selections, objectOfType) : undefined }
      : { kind: 'fragment', typeCondition: s.typeCondition, sub: compileProjector(s.selections, objectOfType) },
  );
  const guarded = steps.some((s) => s.kind === 'field' && s.name in Object.prototype);
  const project: Projector = (source) => {
    if (source === null) return null;
    const src = source as Record<string, unknown>;
    const result: Record<string, unknown> = guarded ? (Object.create(null) as Record<string, unknown>) : {};
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.kind === 'field') {
        const name = step.name;
        if (!Object.hasOwn(src, name)) return null;
        const value = src[name];
        if (value === undefined) return null;
        const sub = step.sub;
        if (Array.isArray(value)) result[name] = sub ? value.map((v: unknown) => sub(v)) : value.slice();
        else if (sub) result[name] = sub(value);
        else result[name] = value;
      } else {
        if (!step.typeCondition || !source) continue;
        if (objectOfType(src, step.typeCondition, false)) deepMerge(result, step.sub(src));
      }
    }
    return result;
  };
  return project;
}
