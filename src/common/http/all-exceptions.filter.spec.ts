import { errorBody } from './all-exceptions.filter';

describe('errorBody', () => {
  it('answers 503 when the database is out of reach, so callers try again', () => {
    for (const error of [
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('query failed'), {
        cause: Object.assign(new Error('terminating connection'), { code: '57P01' }),
      }),
    ]) {
      expect(errorBody(error, 'r1')).toMatchObject({ statusCode: 503, requestId: 'r1' });
    }
  });

  it('keeps 500 for anything else, without details', () => {
    expect(errorBody(new Error('boom'), 'r2')).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Something went wrong on our side. Quote the requestId if you contact support.',
      requestId: 'r2',
    });
  });
});
