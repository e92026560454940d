import { BadInputError } from '../common/errors';

/** Longest date range one metrics request may cover, in days (both ends included). */
export const MAX_RANGE_DAYS = 3660;
/** Most items one list field (issues, events) returns per request. */
export const MAX_LIST_LIMIT = 1000;
/** Items a list field returns when no limit is given. */
export const DEFAULT_LIST_LIMIT = 100;

/** Refuses a page outside 0-MAX_LIST_LIMIT items or before the first. */
export function assertPage(page: { limit: number; offset: number }): void {
  if (!Number.isInteger(page.limit) || page.limit < 0 || page.limit > MAX_LIST_LIMIT) {
    throw new BadInputError(
      `limit must be a whole number from 0 to ${MAX_LIST_LIMIT}, got ${page.limit}`,
    );
  }
  if (!Number.isInteger(page.offset) || page.offset < 0) {
    throw new BadInputError(`offset must be a whole number of at least 0, got ${page.offset}`);
  }
}
