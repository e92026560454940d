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

/** The targets an answer is held to (ratios; the scrap rate in percent), and whether each is met. */
export interface Target {
  oee: number;
  availability: number;
  performance: number;
  quality: number;
  scrapRate: number;
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
    byMachine: (Figures & { machine: string; totalParts: number; target: Pick<Target, 'oee'> })[];
    byShift: (Figures & { shift: string })[];
  };
  losses: {
    plannedBusyHours: number;
    valuableOperatingHours: number;
    availabilityLossHours: number;
    performanceLossHours: number;
    qualityLossHours: number;
  };
  comparison: {
    previousStartDate: string;
    previousEndDate: string;
    change: Figures;
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
    byMachine: DowntimeShare[];
    byShift: DowntimeShare[];
    majorEvents: {
      date: string;
      machine: string;
      reason: string;
      description: string;
      durationHours: number;
    }[];
  };
}

/** A row of downtime by machine or by shift (`machine` or `shift` set). */
export interface DowntimeShare {
  machine?: string;
  shift?: string;
  unplannedDowntimeHours: number;
  plannedDowntimeHours: number;
  cumulativeShare: number;
}

export interface IssuesPage {
  qualityIssues: {
    totalIssues: number;
    totalPartsAffected: number;
    severityBreakdown: { severity: string; count: number }[];
    byType: { type: string; count: number; partsAffected: number; cumulativeShare: number }[];
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

const SHARE = 'unplannedDowntimeHours plannedDowntimeHours cumulativeShare';

export const DASHBOARD_QUERY = `query Dashboard($from: Date!, $to: Date!, $machine: String, $reason: String) {
  oee(startDate: $from, endDate: $to, machine: $machine) {
    ${FIGURES} totalParts goodParts scrapParts warnings
    target { ${FIGURES} scrapRate oeeMet availabilityMet performanceMet qualityMet }
    daily { date ${FIGURES} }
    byMachine { machine ${FIGURES} totalParts target { oee } }
    byShift { shift ${FIGURES} }
  }
  losses(startDate: $from, endDate: $to, machine: $machine) {
    plannedBusyHours valuableOperatingHours availabilityLossHours performanceLossHours qualityLossHours
  }
  comparison(startDate: $from, endDate: $to, machine: $machine) {
    previousStartDate previousEndDate change { ${FIGURES} }
  }
  scrap(startDate: $from, endDate: $to, machine: $machine) {
    scrapRate daily { date scrapRate } scrapByMachine { machine scrapRate }
  }
  downtime(startDate: $from, endDate: $to, machine: $machine) {
    totalDowntimeHours unplannedDowntimeHours failures mtbfHours mttrHours
    downtimeByReason { reason hours planned }
    byMachine { machine ${SHARE} }
    byShift { shift ${SHARE} }
    majorEvents(limit: 50, reason: $reason) { date machine reason description durationHours }
  }
}`;

export const ISSUES_QUERY = `query DashboardIssues($from: Date!, $to: Date!, $machine: String, $severity: Severity, $type: String, $limit: Int!, $offset: Int!) {
  qualityIssues(startDate: $from, endDate: $to, machine: $machine, severity: $severity) {
    totalIssues totalPartsAffected severityBreakdown { severity count }
    byType { type count partsAffected cumulativeShare }
    issues(limit: $limit, offset: $offset, type: $type) { date machine severity type partsAffected description }
  }
}`;

/** One event of a streamed answer (see docs/chat.md); fields per `type`. */
export interface ChatStreamEvent {
  type: 'TOOL_CALL' | 'TOOL_RESULT' | 'DELTA' | 'DONE' | 'ERROR';
  toolName: string | null;
  error: string | null;
  text: string | null;
  response: string | null;
  history: ChatAnswer['chat']['history'] | null;
  toolCalls: ChatAnswer['chat']['toolCalls'] | null;
  code: string | null;
  message: string | null;
  retryAfterSeconds: number | null;
}

export const CHAT_STREAM_SUBSCRIPTION = `subscription DashboardChat($input: ChatInput!) {
  chatStream(input: $input) {
    type toolName error text response history { role content } toolCalls { name arguments error }
    code message retryAfterSeconds
  }
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

/**
 * A GraphQL error, with its extensions.code (e.g. LLM_NOT_CONFIGURED, TOO_MANY_REQUESTS) and, for
 * TOO_MANY_REQUESTS, the seconds the server asks to wait.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfterSeconds: number | null = null,
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
  if (!response.headers.get('content-type')?.includes('json')) {
    throw new ApiError(`the server answered HTTP ${response.status}`, 'ERROR');
  }
  const body = (await response.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
  };
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new ApiError(
      first.message,
      first.extensions?.code ?? 'ERROR',
      first.extensions?.retryAfterSeconds ?? null,
    );
  }
  return body.data as T;
}
