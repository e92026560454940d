import { ApolloServerPlugin } from '@apollo/server';
import {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { QueryTooComplexError } from '../errors';

export interface QueryCostLimits {
  maxDepth: number;
  maxCost: number;
  /** Cost of top-level fields (queries and mutations) that run database work. */
  rootCosts: Record<string, number>;
  /** Cost of nested fields that run database work; other object fields cost 1, scalars 0. */
  fieldCosts: Record<string, number>;
}

interface Measure {
  depth: number;
  cost: number;
}

/**
 * Depth and cost of a selection set, fragments expanded. Introspection (`__*` fields) costs nothing
 * but counts for depth, so that Sandbox's introspection passes and a deeply nested one does not.
 */
export function measureSelection(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  limits: QueryCostLimits,
  seen: Set<string> = new Set(),
  root = true,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    let inner: Measure = { depth: 0, cost: 0 };
    if (selection.kind === Kind.FIELD) {
      inner = measureField(selection, fragments, limits, seen, root);
      if (selection.name.value.startsWith('__')) inner = { depth: inner.depth, cost: 0 };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measureSelection(selection.selectionSet, fragments, limits, seen, root);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      inner = measureSelection(
        fragment.selectionSet,
        fragments,
        limits,
        new Set([...seen, name]),
        root,
      );
    }
    depth = Math.max(depth, inner.depth);
    cost += inner.cost;
  }
  return { depth, cost };
}

function measureField(
  field: FieldNode,
  fragments: Record<string, FragmentDefinitionNode>,
  limits: QueryCostLimits,
  seen: Set<string>,
  root: boolean,
): Measure {
  const listed = (root ? limits.rootCosts : limits.fieldCosts)[field.name.value];
  if (!field.selectionSet) return { depth: 1, cost: listed ?? 0 };
  const own = listed ?? 1;
  const inner = measureSelection(field.selectionSet, fragments, limits, seen, false);
  return { depth: inner.depth + 1, cost: own + inner.cost };
}

/**
 * Refuses operations that are too deep or too expensive (fifty aliased `oee` fields, say) after
 * parsing and before any resolver runs, with QUERY_TOO_COMPLEX and HTTP 400.
 */
export function queryCostPlugin(limits: QueryCostLimits): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, operation }) {
          const fragments = Object.fromEntries(
            document.definitions
              .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
              .map((d) => [d.name.value, d]),
          );
          const { depth, cost } = measureSelection(
            (operation as OperationDefinitionNode).selectionSet,
            fragments,
            limits,
          );
          const problem =
            depth > limits.maxDepth
              ? `Query depth ${depth} is over the limit of ${limits.maxDepth}.`
              : cost > limits.maxCost
                ? `Query cost ${cost} is over the limit of ${limits.maxCost} (each metric query costs ${limits.rootCosts.oee ?? 1}). Split it into several requests.`
                : null;
          if (problem) {
            const error = new QueryTooComplexError(problem);
            throw new GraphQLError(error.message, {
              originalError: error,
              extensions: { code: error.code, http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      });
    },
  };
}
