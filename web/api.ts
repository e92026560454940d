/**
 * The dashboard's data: the same GraphQL queries any client sends. The result types mirror
 * src/schema.gql (Float fields that can be null are `number | null`); a test validates every
 * query here against the served schema.
 */
export interface Figures {
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
}

/** The targets an answer is held to (ratios), and whether each figure meets its own. */
export interface Target {
  oee: number;
  availability: number;
  performance: number;
  quality: number;
  oeeMet: boolean | null;
  availabilityMet: boolean | null;
  performanceMet: boolean | null;
  qualityMet: boolean | null;
}

export interface DashboardData {
  oee: Figures & {
    totalParts: number;
    goodParts: number;
    scrapParts: number;
    warnings: string[];
    target: Target;
    daily: (Figures & { date: string })[];
    byMachine: (Figures & { machine: string; target: Pick<Target, 'oee'> })[];
    byShift: (Figures & { shift: string })[];
  };
  scrap: {
    scrapRate: number | null;
    daily: { date: string; scrapRate: number | null }[];
    scrapByMachine: { machine: string; scrapRate: number | null }[] | null;
  };
  downtime: {
    totalDowntimeHours: number;
    unplannedDowntimeHours: number;
    failures: number;
    mtbfHours: number | null;
    mttrHours: number | null;
    downtimeByReason: { reason: string; hours: number; planned: boolean }[];
    majorEvents: {
      date: string;
      machine: string;
      reason: string;
      description: string;
      durationHours: number;
    }[];
  };
}

export interface IssuesPage {
  qualityIssues: {
    totalIssues: number;
    totalPartsAffected: number;
    severityBreakdown: { severity: string; count: number }[];
    issues: {
      date: string;
      machine: string;
      severity: string;
      type: string;
      partsAffected: number;
      description: string;
    }[];
  };
}

export interface Setting {
  factory: { name: string; timeZone: string; today: string };
  dateRange: { startDate: string; endDate: string; totalDays: number } | null;
  machines: { name: string; type: string }[];
}

export interface ChatAnswer {
  chat: {
    response: string;
    history: { role: 'USER' | 'ASSISTANT'; content: string }[];
    toolCalls: { name: string; arguments: string; error: string | null }[];
  };
}

export const SETTING_QUERY = `query DashboardSetting {
  factory { name timeZone today }
  dateRange { startDate endDate totalDays }
  machines { name type }
}`;

const FIGURES = 'oee availability performance quality';

export const DASHBOARD_QUERY = `query Dashboard($from: Date!, $to: Date!, $machine: String) {
  oee(startDate: $from, endDate: $to, machine: $machine) {
    ${FIGURES} totalParts goodParts scrapParts warnings
    target { ${FIGURES} oeeMet availabilityMet performanceMet qualityMet }
    daily { date ${FIGURES} }
    byMachine { machine ${FIGURES} target { oee } }
    byShift { shift ${FIGURES} }
  }
  scrap(startDate: $from, endDate: $to, machine: $machine) {
    scrapRate daily { date scrapRate } scrapByMachine { machine scrapRate }
  }
  downtime(startDate: $from, endDate: $to, machine: $machine) {
    totalDowntimeHours unplannedDowntimeHours failures mtbfHours mttrHours
    downtimeByReason { reason hours planned }
    majorEvents(limit: 50) { date machine reason description durationHours }
  }
}`;

export const ISSUES_QUERY = `query DashboardIssues($from: Date!, $to: Date!, $machine: String, $severity: Severity, $limit: Int!, $offset: Int!) {
  qualityIssues(startDate: $from, endDate: $to, machine: $machine, severity: $severity) {
    totalIssues totalPartsAffected severityBreakdown { severity count }
    issues(limit: $limit, offset: $offset) { date machine severity type partsAffected description }
  }
}`;

export const CHAT_MUTATION = `mutation DashboardChat($input: ChatInput!) {
  chat(input: $input) { response history { role content } toolCalls { name arguments error } }
}`;

export interface LiveMachine {
  machine: string;
  state: string | null;
  since: string | null;
  reason: string | null;
  parts: number;
  scrap: number;
  oee: number | null;
  availability: number | null;
}

export interface CurrentShiftData {
  currentShift: {
    date: string;
    shift: string;
    startsAt: string;
    endsAt: string;
    machines: LiveMachine[];
  };
}

const LIVE_FIELDS = 'machine state since reason parts scrap oee availability';

export const CURRENT_SHIFT_QUERY = `query DashboardCurrentShift {
  currentShift { date shift startsAt endsAt machines { ${LIVE_FIELDS} } }
}`;

export const LIVE_SUBSCRIPTION = `subscription DashboardLive {
  currentShiftUpdated { date shift ${LIVE_FIELDS} }
}`;

/** A GraphQL error, with its extensions.code (e.g. LLM_NOT_CONFIGURED, TOO_MANY_REQUESTS). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch('graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code ?? 'ERROR');
  }
  return body.data as T;
}
