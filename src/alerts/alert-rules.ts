import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { addDays } from '../common/dates';
import { ShiftCalendar } from '../common/shift-calendar';
import { AppConfig } from '../config/app-config.service';
import { AlertFinding } from '../data/alerts.repository';
import { DataService } from '../data/data.service';
import { MAX_LIST_LIMIT } from '../metrics/metrics.limits';
import { MetricsService } from '../metrics/metrics.service';

const percent = (ratio: number) => `${(100 * ratio).toFixed(1)}%`;

/**
 * The alert rules (ALERT_RULES) over the last ALERT_LOOKBACK_DAYS days and today, in the plant's
 * time zone. Each finding is an occurrence with a key of its own, so that it is raised once:
 * - `shift-oee`: a machine's OEE in a shift that has ended is below its OEE target;
 * - `long-downtime`: a downtime event longer than MAJOR_DOWNTIME_HOURS (a stop still open, once it
 *   has lasted that long);
 * - `scrap-rate`: a machine's scrap rate on a day that has ended is above its scrap-rate target.
 * The figures and targets come from MetricsService, as every other answer's do.
 */
@Injectable()
export class AlertRules {
  private readonly calendar: ShiftCalendar;

  constructor(
    private readonly config: AppConfig,
    private readonly data: DataService,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {
    this.calendar = new ShiftCalendar(config.shifts, config.timeZone);
  }

  /**
   * A mark that moves on when a shift or a day ends: findings of ended periods may appear then
   * without any new data.
   */
  periodMark(): string {
    const now = this.clock.now();
    const ended = this.calendar
      .windowsBetween(now - 2 * 86_400_000, now)
      .filter((w) => w.end <= now)
      .reduce((latest, w) => Math.max(latest, w.end), 0);
    return `${this.calendar.localDate(now)}|${ended}`;
  }

  async findings(): Promise<AlertFinding[]> {
    const { rules, lookbackDays } = this.config.alerts;
    if (rules.length === 0 || (await this.data.isEmpty())) return [];
    const now = this.clock.now();
    const today = this.calendar.localDate(now);
    const f = await this.metrics.resolveFilter(addDays(today, -lookbackDays), today);
    const found: AlertFinding[] = [];
    const check = await this.metrics.targetChecker();
    if (rules.includes('shift-oee')) {
      for (const row of await this.metrics.machineShiftFigures(f)) {
        if (row.oee === null || !this.shiftEnded(row.date, row.shift, now, today)) continue;
        const target = check(row, row.machine);
        if (target.oeeMet !== false) continue;
        found.push({
          key: `shift-oee|${row.machine}|${row.date}|${row.shift}`,
          rule: 'shift-oee',
          machine: row.machine,
          date: row.date,
          shift: row.shift,
          value: row.oee,
          threshold: target.oee,
          message: `OEE of ${row.machine} in the ${row.shift} shift of ${row.date} was ${percent(row.oee)}, below its target of ${percent(target.oee)}`,
        });
      }
    }
    if (rules.includes('long-downtime')) {
      // A live stop is known by when it began: it grows with every refresh and is still the one
      // occurrence. An imported event, which has no start, by what it says.
      for await (const e of this.metrics.allMajorEvents(f, MAX_LIST_LIMIT)) {
        const identity = createHash('sha256')
          .update(
            JSON.stringify(
              e.startedAt === null
                ? [e.shift, e.reason, e.description, e.durationHours]
                : [e.shift, e.reason, e.description, 'began', e.startedAt],
            ),
          )
          .digest('hex')
          .slice(0, 24);
        found.push({
          key: `long-downtime|${e.machine}|${e.date}|${identity}`,
          rule: 'long-downtime',
          machine: e.machine,
          date: e.date,
          shift: e.shift,
          value: e.durationHours,
          threshold: this.config.majorDowntimeHours,
          message: `${e.machine} was down ${e.durationHours} h (${e.reason}${e.description ? `: ${e.description}` : ''}) on ${e.date}${e.shift ? ` in the ${e.shift} shift` : ''}, longer than ${this.config.majorDowntimeHours} h`,
        });
      }
    }
    if (rules.includes('scrap-rate')) {
      for (let date = f.startDate; date < today; date = addDays(date, 1)) {
        const day = await this.metrics.resolveFilter(date, date);
        for (const row of await this.metrics.oeeByMachine(day)) {
          const { scrapRate } = this.metrics.scrapFromSums({
            scrap: row.scrapParts,
            parts: row.totalParts,
          });
          const target = check(row, row.machine);
          if (scrapRate === null || target.scrapRateMet !== false) continue;
          found.push({
            key: `scrap-rate|${row.machine}|${date}`,
            rule: 'scrap-rate',
            machine: row.machine,
            date,
            shift: null,
            value: scrapRate,
            threshold: target.scrapRate,
            message: `Scrap rate of ${row.machine} on ${date} was ${scrapRate}% (${row.scrapParts} of ${row.totalParts} parts), above its target of ${target.scrapRate}%`,
          });
        }
      }
    }
    return found;
  }

  /** A shift of the calendar has ended by its end time; one it does not know, by its date. */
  private shiftEnded(date: string, shift: string, now: number, today: string): boolean {
    const window = this.calendar.windowsOn(date).find((w) => w.shift === shift);
    return window ? window.end <= now : date < today;
  }
}
