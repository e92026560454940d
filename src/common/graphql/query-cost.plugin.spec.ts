import { FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { QUERY_LIMITS } from './graphql.config';
import { documentShape, measureOperation, queryCostPlugin } from './query-cost.plugin';

function measure(query: string, limits = QUERY_LIMITS) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  ) as OperationDefinitionNode;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return measureOperation(operation, fragments, limits);
}

/** `fragment F1 on OeeMetrics { ...F0 ...F0 }` ... up to F<n>: 2^n expansions when re-expanded. */
function doublingChain(n: number): string {
  const fragments = ['fragment F0 on OeeMetrics { oee }'];
  for (let i = 1; i <= n; i++)
    fragments.push(`fragment F${i} on OeeMetrics { ...F${i - 1} ...F${i - 1} }`);
  return `{ oee(startDate: "2026-01-01", endDate: "2026-01-02") { ...F${n} } } ${fragments.join(' ')}`;
}

describe(measureOperation.name, () => {
  it('counts metric fields at their cost and nesting depth', () => {
    expect(
      measure('{ oee(startDate: "a", endDate: "b") { oee byMachine { machine oee } } }'),
    ).toEqual({ depth: 3, cost: 10 + 5 });
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

  it('prices a fragment spread at the root from the root costs, nested from the field costs', () => {
    const query =
      '{ ...F x: oee { ...G } } fragment F on Query { oee { oee } } fragment G on OeeMetrics { daily { oee } }';
    expect(measure(query)).toEqual({ depth: 3, cost: 10 + 10 + 5 });
  });

  it('counts introspection for depth only', () => {
    expect(measure('{ __schema { types { name } } stats { exists } }')).toEqual({
      depth: 3,
      cost: 1,
    });
  });

  it('measures each fragment once: a doubling chain of 29 fragments is measured at once (regression: minutes)', () => {
    // Each fragment of the chain is visited once per level at most; re-expanding every spread
    // would take 2^29 steps, which this test would not survive.
    expect(measure(doublingChain(29))).toEqual({ depth: 2, cost: 10 });
  });
});

describe(documentShape.name, () => {
  it('counts fragments and selections as written, without expanding spreads', () => {
    expect(documentShape(parse(doublingChain(29)))).toEqual({
      fragments: 30,
      selections: 2 + 1 + 58,
    });
  });
});

describe(queryCostPlugin.name, () => {
  const limits = {
    ...QUERY_LIMITS,
    maxDepth: 3,
    maxCost: 20,
    maxFragments: 3,
    maxSelections: 12,
    rootCosts: { oee: 10 },
    fieldCosts: {},
  };

  async function refusal(query: string, operationName?: string): Promise<unknown> {
    const document = parse(query);
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode =>
        d.kind === Kind.OPERATION_DEFINITION &&
        (operationName === undefined || d.name?.value === operationName),
    );
    const hooks = await (queryCostPlugin(limits).requestDidStart as () => Promise<any>)();
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

  it('refuses a document with too many fragments or selections before measuring it', async () => {
    expect(await refusal(doublingChain(5))).toMatchObject({
      message: 'The document defines 6 fragments; at most 3 are allowed.',
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    });
    const wide = `{ stats { ${Array.from({ length: 12 }, (_, i) => `f${i}`).join(' ')} } }`;
    expect(await refusal(wide)).toMatchObject({
      message: 'The document has 13 selections; at most 12 are allowed.',
    });
  });

  it('keeps each operation verdict: a document asked again is refused again, the next one judged', async () => {
    const plugin = queryCostPlugin(limits);
    const ask = async (document: ReturnType<typeof parse>) => {
      const operation = document.definitions[0] as OperationDefinitionNode;
      const hooks = await (plugin.requestDidStart as () => Promise<any>)();
      return hooks.didResolveOperation({ document, operation }).then(
        () => null,
        (error: Error) => error.message,
      );
    };
    // Apollo hands a cached document over as the same object.
    const deep = parse('{ a { b { c { d } } } }');
    expect(await ask(deep)).toBe('Query depth 4 is over the limit of 3.');
    expect(await ask(deep)).toBe('Query depth 4 is over the limit of 3.');
    expect(await ask(parse('{ oee { a } }'))).toBeNull();
    expect(await ask(parse('{ x: oee { a } y: oee { a } z: oee { a } }'))).toMatch(
      /^Query cost 30 is over/,
    );
  });

  it('leaves a document whose operation Apollo could not resolve to Apollo (regression: TypeError)', async () => {
    expect(await refusal('query A { stats { a } } query B { stats { a } }', 'missing')).toBeNull();
  });
});
