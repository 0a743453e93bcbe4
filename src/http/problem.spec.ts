import { HttpProblem, toProblem } from './problem.js';

describe('HttpProblem', () => {
  it('answers its status, type, title and detail, then its extensions, with its headers', () => {
    const problem = new HttpProblem({
      status: 503,
      code: 'consistency-timeout',
      detail: 'The read model has not reached position 7 within 5000 ms',
      extensions: { position: '7' },
      headers: { 'Retry-After': '1' },
    });

    const answer = toProblem(problem);

    expect(problem.message).toBe('The read model has not reached position 7 within 5000 ms');
    expect(answer.status).toBe(503);
    expect(JSON.stringify(answer.body)).toBe(
      JSON.stringify({
        type: '/problems/consistency-timeout',
        title: 'Consistency timeout',
        status: 503,
        detail: 'The read model has not reached position 7 within 5000 ms',
        position: '7',
      }),
    );
    expect(answer.headers).toEqual({ 'Retry-After': '1' });
  });

  it('has no extensions and no headers unless given', () => {
    const problem = new HttpProblem({ status: 403, code: 'forbidden', detail: 'No' });

    expect(problem.extensions).toEqual({});
    expect(problem.headers).toEqual({});
    expect(toProblem(problem)).toEqual({
      status: 403,
      body: { type: '/problems/forbidden', title: 'Forbidden', status: 403, detail: 'No' },
      headers: {},
    });
  });
});
