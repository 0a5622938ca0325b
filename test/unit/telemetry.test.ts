/** The EMF lines the counter writes are what CloudWatch expects, and what the alarms watch. */
import { jest } from '@jest/globals';
import { createCounter, createLogger } from '../../functions/commons/telemetry.js';

test('a count is written as EMF, once in total (service only) and once with its dimensions', () => {
  const lines: string[] = [];
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    createCounter('consume', (line) => lines.push(line)).count(
      'CallbacksQuarantined',
      { Reason: 'NOT_JSON' },
      2,
    );
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  const [total, detailed] = lines.map((line) => JSON.parse(line));
  expect(total).toEqual({
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: 'ByrobotCallbacks',
          Dimensions: [['service']],
          Metrics: [{ Name: 'CallbacksQuarantined', Unit: 'Count' }],
        },
      ],
    },
    service: 'consume',
    CallbacksQuarantined: 2,
  });
  expect(detailed._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'Reason']]);
  expect(detailed).toMatchObject({ service: 'consume', Reason: 'NOT_JSON', CallbacksQuarantined: 2 });
});

test('disabled (local stack, tests): nothing is written', () => {
  const lines: string[] = [];
  createCounter('ingest', (line) => lines.push(line)).count('CallbacksReceived');
  expect(lines).toEqual([]);
});

describe('logger', () => {
  /** What Powertools writes during `run`, as parsed lines (stdout, and stderr for warnings and errors). */
  const captured = (run: () => void): Record<string, unknown>[] => {
    const lines: string[] = [];
    const spies = (['info', 'warn', 'error', 'log'] as const).map((level) =>
      jest.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line))),
    );
    const writes = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => lines.push(String(chunk)) > 0),
    );
    try {
      run();
    } finally {
      for (const spy of [...spies, ...writes]) spy.mockRestore();
    }
    return lines.flatMap((line) =>
      line
        .split('\n')
        .filter((part) => part.startsWith('{'))
        .map((part) => JSON.parse(part)),
    );
  };

  test('after addContext every line carries the Lambda request id and cold-start flag', () => {
    const logger = createLogger('ingest');
    const lines = captured(() => {
      logger.addContext({
        awsRequestId: 'req-123',
        functionName: 'ingest-fn',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest-fn',
        memoryLimitInMB: '512',
      } as never);
      logger.info('one');
      logger.warn('two');
    });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({
        function_request_id: 'req-123',
        function_name: 'ingest-fn',
        service: 'ingest',
      });
      expect(typeof line.cold_start).toBe('boolean');
    }
  });

  test('an error keeps its name, stack and cause in the line', () => {
    const logger = createLogger('reconcile');
    const cause = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    const [line] = captured(() =>
      logger.error('failed', { error: new TypeError('fetch failed', { cause }) }),
    );
    expect(line?.error).toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      stack: expect.stringContaining('TypeError: fetch failed'),
      cause: { name: 'Error', message: 'connect refused', code: 'ECONNREFUSED' },
    });
  });
});
