import { Injectable } from '@nestjs/common';

/** The current moment in epoch milliseconds; tests of time-dependent rules provide their own. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
