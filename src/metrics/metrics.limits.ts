/** Longest date range one metrics request may cover, in days (both ends included). */
export const MAX_RANGE_DAYS = 3660;
/** Most items one list field (issues, events) returns per request. */
export const MAX_LIST_LIMIT = 1000;
/** Items a list field returns when no limit is given. */
export const DEFAULT_LIST_LIMIT = 100;
