/** The EMF lines the counter writes are what CloudWatch expects, and what the alarms watch. */
import { jest } from '@jest/globals';
import { createCounter, createLogger, flushingMetrics } from '../../functions/commons/telemetry.js';

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

  test('after addContext every line carries the Lambda request id and cold-start flag, nothing the log group already says', () => {
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
    expect(lines.map((line) => [line.function_request_id, typeof line.cold_start, line.service])).toEqual([
      ['req-123', 'boolean', 'ingest'],
      ['req-123', 'boolean', 'ingest'],
      ['req-456', 'boolean', 'ingest'],
    ]);
    expect(lines[2]?.cold_start).toBe(false);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual([
        'cold_start',
        'function_request_id',
        'level',
        'message',
        'service',
      ]);
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
