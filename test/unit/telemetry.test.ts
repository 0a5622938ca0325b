/** The EMF lines the counter writes are what CloudWatch expects, and what the alarms watch. */
import { createCounter } from '../../functions/commons/telemetry.js';

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
