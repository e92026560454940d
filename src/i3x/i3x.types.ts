/** i3X 1.0 shapes (CESMII i3X, spec/IMPLEMENTATION_GUIDE.md), as this server serves them. */

export type Quality = 'Good' | 'GoodNoData' | 'Bad' | 'Uncertain';

/** A value with its quality and when it was true (UTC, RFC 3339 with Z). */
export interface Vqt {
  value: unknown;
  quality: Quality;
  timestamp: string;
}

export interface Namespace {
  uri: string;
  displayName: string;
}

export interface ObjectType {
  elementId: string;
  displayName: string;
  namespaceUri: string;
  sourceTypeId: string;
  version: string;
  schema: Record<string, unknown>;
}

export interface RelationshipType {
  elementId: string;
  displayName: string;
  namespaceUri: string;
  relationshipId: string;
  reverseOf: string;
}

export interface ObjectInstance {
  elementId: string;
  displayName: string;
  typeElementId: string;
  parentId: string | null;
  isComposition: boolean;
  isExtended: boolean;
  metadata?: {
    description: string;
    typeNamespaceUri: string;
    sourceTypeId: string;
    relationships: Record<string, string[]>;
  };
}

/** An RFC 9457 problem, as i3X carries it in `responseDetail`. */
export interface Problem {
  title: string;
  status: number;
  detail: string;
}

/** One item of a bulk answer, in the place of its request item. */
export type BulkItem<K extends string> =
  | ({ success: true; result: unknown } & Record<K, string>)
  | ({ success: false; responseDetail: Problem } & Record<K, string>);

const TITLES: Record<number, string> = {
  206: 'Partial Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function problem(status: number, detail: string): Problem {
  return { title: TITLES[status] ?? 'Error', status, detail };
}

/** An error answered as an i3X failure envelope with its HTTP status. */
export class I3xError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}
