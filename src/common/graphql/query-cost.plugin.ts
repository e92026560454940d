import { ApolloServerPlugin } from '@apollo/server';
import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  visit,
} from 'graphql';
import { QueryTooComplexError } from '../errors';

export interface QueryCostLimits {
  maxDepth: number;
  maxCost: number;
  /** Fragment definitions in one document. */
  maxFragments: number;
  /** Selections (fields, spreads, inline fragments) written in one document, before expansion. */
  maxSelections: number;
  /** Cost of top-level fields (queries and mutations) that run database work. */
  rootCosts: Record<string, number>;
  /** Cost of nested fields that run database work; other object fields cost 1, scalars 0. */
  fieldCosts: Record<string, number>;
}

export interface Measure {
  depth: number;
  cost: number;
}

/**
 * Depth and cost of an operation, fragments expanded, in time linear in the document: each fragment
 * is measured once (per level: at the root, fields are priced from rootCosts) and the result reused
 * at every spread, so a chain of fragments that each spread the previous one twice costs no more to
 * measure than it is long. Introspection (`__*` fields) costs nothing but counts for depth, so that
 * Sandbox's introspection passes and a deeply nested one does not.
 */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  limits: Pick<QueryCostLimits, 'rootCosts' | 'fieldCosts'>,
): Measure {
  const memo = new Map<string, Measure>();
  // Validation refuses fragment cycles before this runs; a spread met again while its own
  // fragment is being measured still counts as nothing rather than recursing forever.
  const inProgress = new Set<string>();

  const selectionSet = (set: SelectionSetNode, root: boolean): Measure => {
    let depth = 0;
    let cost = 0;
    for (const selection of set.selections) {
      const inner =
        selection.kind === Kind.FIELD
          ? field(selection, root)
          : selection.kind === Kind.INLINE_FRAGMENT
            ? selectionSet(selection.selectionSet, root)
            : spread(selection.name.value, root);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  };

  const spread = (name: string, root: boolean): Measure => {
    const key = `${root ? 'root' : 'nested'}:${name}`;
    const known = memo.get(key);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return { depth: 0, cost: 0 };
    inProgress.add(name);
    const measured = selectionSet(fragment.selectionSet, root);
    inProgress.delete(name);
    memo.set(key, measured);
    return measured;
  };

  const field = (node: FieldNode, root: boolean): Measure => {
    const introspection = node.name.value.startsWith('__');
    const listed = (root ? limits.rootCosts : limits.fieldCosts)[node.name.value];
    if (!node.selectionSet) return { depth: 1, cost: introspection ? 0 : (listed ?? 0) };
    const inner = selectionSet(node.selectionSet, false);
    return {
      depth: inner.depth + 1,
      cost: introspection ? 0 : (listed ?? 1) + inner.cost,
    };
  };

  return selectionSet(operation.selectionSet, true);
}

/** Fragments and selections as written in the document: one pass over its syntax tree. */
export function documentShape(document: DocumentNode): { fragments: number; selections: number } {
  let fragments = 0;
  let selections = 0;
  visit(document, {
    FragmentDefinition: () => void fragments++,
    Field: () => void selections++,
    FragmentSpread: () => void selections++,
    InlineFragment: () => void selections++,
  });
  return { fragments, selections };
}

function tooComplex(message: string): GraphQLError {
  const error = new QueryTooComplexError(message);
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, http: { status: 400 } },
  });
}

/** Why an operation is refused, or null when it is within the limits. */
export function refusal(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: QueryCostLimits,
): string | null {
  const shape = documentShape(document);
  if (shape.fragments > limits.maxFragments) {
    return `The document defines ${shape.fragments} fragments; at most ${limits.maxFragments} are allowed.`;
  }
  if (shape.selections > limits.maxSelections) {
    return `The document has ${shape.selections} selections; at most ${limits.maxSelections} are allowed.`;
  }
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const { depth, cost } = measureOperation(operation, fragments, limits);
  if (depth > limits.maxDepth)
    return `Query depth ${depth} is over the limit of ${limits.maxDepth}.`;
  if (cost > limits.maxCost) {
    return `Query cost ${cost} is over the limit of ${limits.maxCost} (each metric query costs ${limits.rootCosts.oee ?? 1}). Split it into several requests.`;
  }
  return null;
}

/**
 * Refuses documents with too many fragments or selections, and operations that are too deep or
 * too expensive (fifty aliased `oee` fields, say), after validation and before any resolver runs,
 * with QUERY_TOO_COMPLEX and HTTP 400. Documents with too many tokens never get here: the parser
 * stops them (see `parseOptions.maxTokens`).
 */
export function queryCostPlugin(limits: QueryCostLimits): ApolloServerPlugin {
  // Apollo keeps parsed documents (its document store), so a query asked again is the same
  // operation node: its verdict is kept with it rather than worked out on every request.
  const verdicts = new WeakMap<OperationDefinitionNode, string | null>();
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, operation }) {
          // No operation: Apollo answers that itself (several operations and no operationName).
          if (!operation) return Promise.resolve();
          let problem = verdicts.get(operation);
          if (problem === undefined) {
            problem = refusal(document, operation, limits);
            verdicts.set(operation, problem);
          }
          return problem ? Promise.reject(tooComplex(problem)) : Promise.resolve();
        },
      });
    },
  };
}
