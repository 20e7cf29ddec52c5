import type { GraphQLError } from './graphql-runtime.js';
import {
  ERRORS,
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  Variable,
  type FieldSelection,
  type FragmentSelection,
  type NamedType,
  type Operation,
  type OutputType,
  type SelectionSet,
} from '@apollo/federation-internals';
import type { SupergraphBundle } from './supergraph.js';

/**
 * The response shaper: turns the data gathered by the plan's fetches into the answer to the
 * client's operation (only what was asked, in the operation's order, `__typename` filled in,
 * nulls propagated to the nearest nullable parent, leaf values checked). Its behaviour is that of
 * `computeResponse` in @apollo/gateway's resultShaping.ts, rule for rule (the same errors, with
 * the same messages and paths); what differs is when the work is done. Apollo walks the
 * operation through federation-internals on every request (directive lookups, subtype checks,
 * type unwrapping); here the operation is compiled once per cached operation into plain records,
 * and a request only walks those and the data.
 */

/** A @skip/@include condition: a literal, or the name of a Boolean variable. */
type IfValue = boolean | string;

interface Conditions {
  skip: IfValue | undefined;
  include: IfValue | undefined;
}

type TypeRef =
  | { kind: 'nonNull'; of: TypeRef; text: string }
  | { kind: 'list'; of: TypeRef; text: string }
  | { kind: 'composite'; name: string; text: string }
  | { kind: 'leaf'; text: string; valid: (value: unknown) => boolean };

interface FieldShape {
  kind: 'field';
  responseName: string;
  conditions: Conditions | undefined;
  isTypename: boolean;
  /** Set for `__schema` / `__type`: answered by graphql-js introspection, not by subgraphs. */
  introspection: FieldSelection | undefined;
  type: TypeRef;
  selections: Shape[] | undefined;
}

interface FragmentShape {
  kind: 'fragment';
  conditions: Conditions | undefined;
  typeCondition: string | undefined;
  selections: Shape[];
}

type Shape = FieldShape | FragmentShape;

export interface ShapeResult {
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLError[];
}

export interface Shaper {
  /**
   * @param input what the fetches gathered (not modified)
   * @param variables the request's variables (defaults of the operation are applied here)
   * @param introspect answers a `__schema`/`__type` selection
   */
  shape(
    input: Record<string, unknown> | null | undefined,
    variables: Record<string, unknown> | undefined,
    introspect: (selection: FieldSelection) => unknown,
  ): ShapeResult;
}

/** A value as Apollo's messages print it (template-literal stringification, `[object Object]` included). */
function asText(value: unknown): string {
  return `${value as string}`;
}

const NULL_BUBBLE_UP = 1;
const OK = 0;

/** Names an object literal inherits: data keyed by them must be read and written as own properties. */
function isInheritedName(name: string): boolean {
  return name in Object.prototype;
}

export function compileShaper(operation: Operation, bundle: SupergraphBundle): Shaper {
  const schema = operation.schema();
  let guarded = false;
  const typeRefs = new Map<OutputType, TypeRef>();

  function leafValidator(type: NamedType): (value: unknown) => boolean {
    // federation-internals' isValidLeafValue, specialised per type once.
    if (isCustomScalarType(type)) return () => true;
    const booleanType = schema.booleanType();
    const intType = schema.intType();
    const idType = schema.idType();
    const floatType = schema.floatType();
    const isIntLike = type === intType || type === idType;
    const enumValues = isEnumType(type) ? new Set(type.values.map((v) => v.name)) : undefined;
    const stringOk = type !== booleanType && type !== intType && type !== floatType;
    return (value) => {
      if (typeof value === 'boolean') return type === booleanType;
      if (typeof value === 'number' && isFinite(value)) {
        if (isIntLike) return /^-?(?:0|[1-9][0-9]*)$/.test(String(value));
        return type === floatType;
      }
      if (typeof value === 'string') return enumValues ? enumValues.has(value) : stringOk;
      return false;
    };
  }

  function typeRef(type: OutputType): TypeRef {
    let ref = typeRefs.get(type);
    if (ref) return ref;
    const text = type.toString();
    if (isNonNullType(type)) ref = { kind: 'nonNull', of: typeRef(type.ofType as OutputType), text };
    else if (isListType(type)) ref = { kind: 'list', of: typeRef(type.ofType as OutputType), text };
    else if (isCompositeType(type)) ref = { kind: 'composite', name: type.name, text };
    else ref = { kind: 'leaf', text, valid: leafValidator(type) };
    typeRefs.set(type, ref);
    return ref;
  }

  function conditionsOf(element: FieldSelection['element'] | FragmentSelection['element']): Conditions | undefined {
    const skip = element.appliedDirectivesOf(schema.skipDirective())[0];
    const include = element.appliedDirectivesOf(schema.includeDirective())[0];
    if (!skip && !include) return undefined;
    const ifOf = (d: typeof skip): IfValue | undefined => {
      if (!d) return undefined;
      const arg = (d.arguments() as { if: boolean | Variable }).if;
      return arg instanceof Variable ? arg.name : arg;
    };
    return { skip: ifOf(skip), include: ifOf(include) };
  }

  const compiledSets = new Map<SelectionSet, Shape[]>();
  function compileSet(set: SelectionSet): Shape[] {
    const existing = compiledSets.get(set);
    if (existing) return existing;
    const shapes: Shape[] = [];
    compiledSets.set(set, shapes);
    for (const selection of set.selections()) {
      if (selection.kind === 'FieldSelection') {
        const field = selection.element;
        const responseName = field.responseName();
        if (isInheritedName(responseName)) guarded = true;
        const introspection = field.definition.isSchemaIntrospectionField() ? selection : undefined;
        shapes.push({
          kind: 'field',
          responseName,
          conditions: conditionsOf(field),
          isTypename: field.name === '__typename',
          introspection,
          type: typeRef(field.definition.type as OutputType),
          selections: selection.selectionSet && !introspection ? compileSet(selection.selectionSet) : undefined,
        });
      } else {
        const fragment = selection.element;
        shapes.push({
          kind: 'fragment',
          conditions: conditionsOf(fragment),
          typeCondition: fragment.typeCondition?.name,
          selections: compileSet(selection.selectionSet),
        });
      }
    }
    return shapes;
  }

  const root = compileSet(operation.selectionSet);
  const rootTypeName = schema.schemaDefinition.rootType(operation.rootKind)!.name;
  const defaults = operation.collectDefaultedVariableValues();
  const hasDefaults = Object.keys(defaults).length > 0;

  // What a `__typename` names in the API schema, looked up once per name.
  const KIND_NONE = 0;
  const KIND_OTHER = 1;
  const KIND_COMPOSITE = 2;
  const KIND_OBJECT = 3;
  const kinds = new Map<string, number>();
  const kindOf = (name: string): number => {
    let kind = kinds.get(name);
    if (kind === undefined) {
      const type = schema.type(name);
      kind = !type ? KIND_NONE : isObjectType(type) ? KIND_OBJECT : isCompositeType(type) ? KIND_COMPOSITE : KIND_OTHER;
      kinds.set(name, kind);
    }
    return kind;
  };

  const newObject: () => Record<string, unknown> = guarded ? () => Object.create(null) as Record<string, unknown> : () => ({});
    return {
    shape(input, variables, introspect) {
      if (!input) return { data: input, errors: [] };
      const vars: Record<string, unknown> = hasDefaults || variables ? (Object.assign(Object.create(null), defaults, variables) as Record<string, unknown>) : defaults;
      const errors: GraphQLError[] = [];
      const path: (string | number)[] = [];

      const ifValue = (value: IfValue): boolean => {
        if (typeof value === 'boolean') return value;
        const v = vars[value];
        if (typeof v !== 'boolean') throw new Error(`Unexpected value ${String(v)} for variable $${value}`);
        return v;
      };
      const skipped = (c: Conditions): boolean =>
        (c.skip !== undefined && ifValue(c.skip)) || (c.include !== undefined && !ifValue(c.include));

      const describe = (type: TypeRef, parentType: string): string => {
        const element = path[path.length - 1];
        return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${type.text} at index ${String(element)}`;
      };

      function applySet(
        inputObj: Record<string, unknown>,
        shapes: Shape[],
        output: Record<string, unknown>,
        parentType: string,
      ): number {
        for (let i = 0; i < shapes.length; i++) {
          const s = shapes[i]!;
          if (s.conditions && skipped(s.conditions)) continue;
          if (s.kind === 'field') {
            const name = s.responseName;
            const outputValue = guarded ? (Object.hasOwn(output, name) ? output[name] : undefined) : output[name];
            if (s.introspection) {
              if (outputValue === undefined) output[name] = introspect(s.introspection);
              continue;
            }
            let inputValue = (guarded ? (Object.hasOwn(inputObj, name) ? inputObj[name] : undefined) : inputObj[name]) ?? null;
            if (s.isTypename) {
              if (outputValue === undefined) {
                if (inputValue === null && name !== '__typename') inputValue = inputObj.__typename ?? null;
                let typeName = parentType;
                if (typeof inputValue === 'string' && kindOf(inputValue) !== KIND_NONE) typeName = inputValue;
                if (kindOf(typeName) !== KIND_OBJECT) return NULL_BUBBLE_UP;
                output[name] = typeName;
              }
              continue;
            }
            path.push(name);
            const updated = update(outputValue, s.type, inputValue, s.selections, parentType);
            output[name] = updated.value;
            path.pop();
            if (updated.invalid) return NULL_BUBBLE_UP;
          } else {
            const typename = inputObj.__typename as string | undefined;
            if (typename && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${asText(typename)}`);
            const condition = s.typeCondition;
            const applies =
              condition === undefined || (typename ? bundle.appliesTo(condition, typename) : bundle.appliesTo(condition, parentType));
            if (applies && applySet(inputObj, s.selections, output, condition ?? parentType) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
          }
        }
        return OK;
      }

      interface Updated {
        value: unknown;
        invalid: boolean;
        hasErrors: boolean;
      }
      const VALID_NULL: Updated = { value: null, invalid: false, hasErrors: false };

      function update(outputValue: unknown, type: TypeRef, inputValue: unknown, selections: Shape[] | undefined, parentType: string): Updated {
        if (outputValue === null || (outputValue !== undefined && !selections)) {
          return outputValue === null ? VALID_NULL : { value: outputValue, invalid: false, hasErrors: false };
        }
        switch (type.kind) {
          case 'nonNull': {
            const inner = update(outputValue, type.of, inputValue, selections, parentType);
            if (inner.value === null) {
              if (!inner.hasErrors) {
                errors.push(
                  ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describe(type.of, parentType)}.`, { path: path.slice() }),
                );
              }
              return { value: null, invalid: true, hasErrors: true };
            }
            return inner.invalid || inner.hasErrors ? { value: inner.value, invalid: false, hasErrors: false } : inner;
          }
          case 'list': {
            if (inputValue === null) return VALID_NULL;
            if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${asText(inputValue)} returned by subgraph for list type ${type.text}`);
            if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value ${asText(outputValue)} returned by subgraph for list type ${type.text}`);
            const previous = outputValue as unknown[] | undefined;
            if (previous && previous.length !== inputValue.length) throw new Error(`list length mismatch at ${path.join('.')}`);
            const n = inputValue.length;
            const out: unknown[] = new Array(n);
            let nullify = false;
            let hasErrors = false;
            for (let idx = 0; idx < n; idx++) {
              path.push(idx);
              const elt = update(previous ? previous[idx] : undefined, type.of, inputValue[idx], selections, parentType);
              path.pop();
              if (elt.invalid) nullify = true;
              if (elt.hasErrors) hasErrors = true;
              out[idx] = elt.value;
            }
            return { value: nullify ? null : out, invalid: false, hasErrors };
          }
          case 'composite': {
            if (inputValue === null) return VALID_NULL;
            if (!selections) throw new Error(`Invalid empty selection set for composite type ${type.text}`);
            if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${asText(inputValue)} returned by subgraph for composite type ${type.text}`);
            if (outputValue !== undefined && typeof outputValue !== 'object') throw new Error(`Invalid non-object value returned by subgraph for composite type ${type.text}`);
            const inputObj = inputValue as Record<string, unknown>;
            const inputTypename = inputObj.__typename;
            if (inputTypename !== undefined && typeof inputTypename !== 'string') throw new Error(`Invalid non-string value ${asText(inputTypename)} for __typename at ${path.join(',')}`);
            let objType = type.name;
            if (inputTypename) {
              if (kindOf(inputTypename) < KIND_COMPOSITE) {
                // Never name the received type: it may be @inaccessible.
                errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describe(type, parentType)}.`, { path: path.slice() }));
                return { value: null, invalid: false, hasErrors: true };
              }
              objType = inputTypename;
            }
            const out = (outputValue as Record<string, unknown> | undefined) ?? newObject();
            const res = applySet(inputObj, selections, out, objType);
            return res === NULL_BUBBLE_UP ? { value: null, invalid: false, hasErrors: true } : { value: out, invalid: false, hasErrors: false };
          }
          case 'leaf': {
            if (inputValue === null) return VALID_NULL;
            if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${type.text} for type ${type.text}`);
            if (type.valid(inputValue)) return { value: inputValue, invalid: false, hasErrors: false };
            errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describe(type, parentType)}.`, { path: path.slice() }));
            return { value: null, invalid: false, hasErrors: true };
          }
        }
      }

      const data = newObject();
      const res = applySet(input, root, data, rootTypeName);
      return { data: res === NULL_BUBBLE_UP ? null : data, errors };
    },
  };
}

