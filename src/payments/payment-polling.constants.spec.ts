import {
  FIRST_QUERY_AFTER_MS,
  POLLING_WINDOW_MS,
  QUERY_BACKOFF_MS,
  queryDelayMs,
} from './payment-polling.constants';

describe('queryDelayMs', () => {
  it('waits 20 s, then 5, 10, 15, 25, 30 s and keeps 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(queryDelayMs)).toEqual([
      20_000, 5_000, 10_000, 15_000, 25_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('stays under the sandbox rate limit of about 5 queries a minute after the first minute', () => {
    const tail = QUERY_BACKOFF_MS.slice(-1)[0];
    expect(60_000 / tail).toBeLessThanOrEqual(5);
  });

  it('reaches the end of the polling window in a handful of queries', () => {
    let elapsed = FIRST_QUERY_AFTER_MS;
    let n = 1;
    while (elapsed < POLLING_WINDOW_MS) elapsed += queryDelayMs(++n);
    expect(n).toBeLessThanOrEqual(10);
  });
});
