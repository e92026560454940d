import { FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { QUERY_LIMITS } from './graphql.config';
import { measureSelection, queryCostPlugin } from './query-cost.plugin';

function measure(query: string) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  ) as OperationDefinitionNode;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return measureSelection(operation.selectionSet, fragments, QUERY_LIMITS);
}

describe(measureSelection.name, () => {
  it('counts metric fields at their cost and nesting depth', () => {
    expect(
      measure('{ oee(startDate: "a", endDate: "b") { oee byMachine { machine oee } } }'),
    ).toEqual({
      depth: 3,
      cost: 10 + 5,
    });
  });

  it('counts every alias', () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: oee { oee }`).join(' ');
    expect(measure(`{ ${aliases} }`).cost).toBe(500);
  });

  it('expands fragments, and survives fragment cycles', () => {
    expect(measure('{ ...F } fragment F on Query { stats { exists } }')).toEqual({
      depth: 2,
      cost: 1,
    });
    expect(measure('{ ...F } fragment F on Query { stats { ...F } }').depth).toBe(1);
  });

  it('counts introspection for depth only', () => {
    expect(measure('{ __schema { types { name } } stats { exists } }')).toEqual({
      depth: 3,
      cost: 1,
    });
  });
});

describe(queryCostPlugin.name, () => {
  async function refusal(query: string): Promise<unknown> {
    const document = parse(query);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const plugin = queryCostPlugin({
      maxDepth: 3,
      maxCost: 20,
      rootCosts: { oee: 10 },
      fieldCosts: {},
    });
    const hooks = await (plugin.requestDidStart as () => Promise<any>)();
    try {
      await hooks.didResolveOperation({ document, operation });
      return null;
    } catch (error) {
      return error;
    }
  }

  it('lets operations within the limits through', async () => {
    expect(await refusal('{ oee { a { b } } }')).toBeNull();
  });

  it('refuses an operation nested deeper than maxDepth', async () => {
    expect(await refusal('{ a { b { c { d } } } }')).toMatchObject({
      message: 'Query depth 4 is over the limit of 3.',
      extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
    });
  });

  it('refuses an operation costing more than maxCost', async () => {
    expect(await refusal('{ x: oee { a } y: oee { a } z: stats { a } }')).toMatchObject({
      extensions: { code: 'QUERY_TOO_COMPLEX' },
      message: expect.stringMatching(/^Query cost 21 is over the limit of 20/),
    });
  });
});
