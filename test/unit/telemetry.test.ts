/** The EMF lines the counter writes are what CloudWatch expects, and what the alarms watch. */
import { jest } from '@jest/globals';
import { LOG_LINE_METRICS } from '../../functions/commons/definitions.js';
import { createIngestHandler } from '../../functions/commons/ingest/ingest-handler.js';
import { createCounter, createLogger, flushingMetrics } from '../../functions/commons/telemetry.js';
import { apiEvent } from '../support/recorders.js';
import { vendorBody } from '../support/vendor.js';

/** An EMF line as parsed: the directive, and the dimension values and metric sums at its root. */
type EmfLine = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
};

/** Runs `use` on a counter whose metrics are enabled, and returns the lines written on flush, parsed. */
const flushed = (use: (counter: ReturnType<typeof createCounter>) => void): EmfLine[] => {
  const lines: string[] = [];
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    const counter = createCounter('consume', (line) => lines.push(line));
    use(counter);
    expect(lines).toEqual([]); // nothing leaves before the flush
    counter.flush();
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  return lines.map((line) => JSON.parse(line) as EmfLine);
};

test('a count leaves on flush as one EMF line, declared in total (service only) and with its dimensions', () => {
  const lines = flushed((counter) => counter.count('CallbacksQuarantined', { Reason: 'NOT_JSON' }, 2));
  expect(lines).toEqual([
    {
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'ByrobotCallbacks',
            Dimensions: [['service'], ['service', 'Reason']],
            Metrics: [{ Name: 'CallbacksQuarantined', Unit: 'Count' }],
          },
        ],
      },
      service: 'consume',
      Reason: 'NOT_JSON',
      CallbacksQuarantined: 2,
    },
  ]);
});

test("a batch's counts are summed per dimension values: the totals over all lines equal the counts", () => {
  const lines = flushed((counter) => {
    for (let i = 0; i < 20; i += 1) counter.count('RecordsStored', { Kind: i % 4 === 0 ? 'job' : 'call' });
    counter.count('ContractWarnings', {}, 3);
    counter.count('ArchiveFailures');
  });
  expect(lines).toHaveLength(3);
  const byKind = Object.fromEntries(
    lines.filter((line) => line.Kind).map((line) => [line.Kind, line.RecordsStored]),
  );
  expect(byKind).toEqual({ call: 15, job: 5 });
  const plain = lines.find((line) => !line.Kind);
  expect(plain).toMatchObject({ ContractWarnings: 3, ArchiveFailures: 1 });
  expect(plain?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
  expect(plain?._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name).sort()).toEqual([
    'ArchiveFailures',
    'ContractWarnings',
  ]);
});

test('flushingMetrics writes the counts when the handler ends, also when it throws', async () => {
  const lines: string[] = [];
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    const counter = createCounter('ingest', (line) => lines.push(line));
    const handler = flushingMetrics(counter, async (fail: boolean) => {
      counter.count('CallbacksReceived');
      if (fail) throw new Error('boom');
      return 'ok';
    });
    await expect(handler(false)).resolves.toBe('ok');
    await expect(handler(true)).rejects.toThrow('boom');
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  expect(lines.map((line) => JSON.parse(line).CallbacksReceived)).toEqual([1, 1]);
});

test('disabled (local stack, tests): nothing is written', () => {
  const lines: string[] = [];
  const counter = createCounter('ingest', (line) => lines.push(line));
  counter.count('CallbacksReceived');
  counter.flush();
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

  test("lambdaRequestId 'problems' (ingest): Lambda's request id on WARN and ERROR lines only", () => {
    const logger = createLogger('ingest', { lambdaRequestId: 'problems' });
    const lines = captured(() => {
      logger.addContext({ awsRequestId: 'req-789' } as never);
      logger.info('callback accepted', { requestId: 'api-1' });
      logger.warn('callback rejected', { requestId: 'api-2' });
      logger.error('callback not stored', { requestId: 'api-3' });
    });
    expect(lines.map((line) => [line.message, line.requestId, line.function_request_id])).toEqual([
      ['callback accepted', 'api-1', undefined],
      ['callback rejected', 'api-2', 'req-789'],
      ['callback not stored', 'api-3', 'req-789'],
    ]);
  });

  test('after addContext every line carries the Lambda request id (and cold_start on a cold start only), nothing the log group already says', () => {
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
      logger.addContext({ awsRequestId: 'req-456' } as never);
      logger.info('three');
    });
    expect(lines.map((line) => [line.function_request_id, line.service])).toEqual([
      ['req-123', 'ingest'],
      ['req-123', 'ingest'],
      ['req-456', 'ingest'],
    ]);
    // The process's first invocation (maybe an earlier test's) is the cold one; a warm one says nothing.
    expect(lines[2]?.cold_start).toBeUndefined();
    for (const line of lines) {
      expect([true, undefined]).toContain(line.cold_start);
      expect(
        Object.keys(line)
          .filter((key) => key !== 'cold_start')
          .sort(),
      ).toEqual(['function_request_id', 'level', 'message', 'service']);
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

describe('counts derived from log lines (LOG_LINE_METRICS) instead of EMF', () => {
  test('the deployed ingest counter writes every count but those, which a metric filter takes from its line', async () => {
    const lines: string[] = [];
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    try {
      const counter = createCounter('ingest', (line) => lines.push(line), {
        fromLogLines: ['CallbacksReceived'],
      });
      counter.count('CallbacksReceived', { DataType: 'CALL_INSTANCE_RESULT' });
      counter.count('CallbacksRejected');
      counter.flush();
      counter.count('CallbacksReceived', { DataType: 'JOB_INFO_RESULT' });
      counter.flush();
    } finally {
      process.env.POWERTOOLS_METRICS_DISABLED = previous;
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ service: 'ingest', CallbacksRejected: 1 }),
    ]);
    expect(lines.join('')).not.toContain('CallbacksReceived');
  });

  test("ingest's line for an accepted callback holds what each metric filter matches and reads", async () => {
    const logger = createLogger('ingest');
    const written: string[] = [];
    const spy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: unknown) => written.push(String(chunk)) > 0);
    const consoleSpy = jest.spyOn(console, 'info').mockImplementation((line: unknown) => {
      written.push(String(line));
    });
    try {
      const handler = createIngestHandler({
        enqueue: async () => ({ messageId: 'm-1', claimed: false }),
        logger,
        counter: { count: () => {} },
      });
      expect((await handler(apiEvent(vendorBody('job')))).body).toBe('success');
    } finally {
      spy.mockRestore();
      consoleSpy.mockRestore();
    }
    const parsed = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const metric of LOG_LINE_METRICS) {
      // `{ $.message = "<message>" }`, with dimensions from `$.service` and `$.<field>`.
      const matching = parsed.filter((line) => line.message === metric.message);
      expect(matching).toHaveLength(1);
      expect(matching[0]?.service).toBe(metric.service);
      expect(matching[0]?.[metric.dimension.field]).toBe('JOB_INFO_RESULT');
    }
  });
});
