import { isConnectionLoss, retryOnConnectionLoss } from './connection-loss';

describe('retryOnConnectionLoss', () => {
  const noSleep = () => Promise.resolve();

  it('tries again while the connection is lost, then returns the result', async () => {
    let calls = 0;
    const result = await retryOnConnectionLoss(
      async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        return 'stored';
      },
      { budgetMs: 10_000, sleep: noSleep },
    );
    expect(result).toBe('stored');
    expect(calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      retryOnConnectionLoss(
        async () => {
          calls += 1;
          throw Object.assign(new Error('duplicate key'), { code: '23505' });
        },
        { budgetMs: 10_000, sleep: noSleep },
      ),
    ).rejects.toThrow('duplicate key');
    expect(calls).toBe(1);
  });

  it('gives up when the budget is spent', async () => {
    await expect(
      retryOnConnectionLoss(() => Promise.reject(new Error('Connection terminated unexpectedly')), {
        budgetMs: 0,
        sleep: noSleep,
      }),
    ).rejects.toThrow('Connection terminated');
  });

  it('knows the ways a lost connection shows', () => {
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss({ code: '57P01', message: 'terminating connection' })).toBe(true);
    expect(isConnectionLoss({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isConnectionLoss(new Error('syntax error'))).toBe(false);
    expect(isConnectionLoss(null)).toBe(false);
  });
});
