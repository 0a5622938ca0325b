/**
 * Logging and metrics. Powertools Logger writes one structured JSON line per call; metrics go
 * out as CloudWatch Embedded Metric Format lines. Handlers depend on the small `Counter` and
 * `Log` interfaces so tests can count and read logs without parsing output.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context as LambdaContext } from 'aws-lambda';
import { METRICS_NAMESPACE as NAMESPACE } from './definitions.js';

export interface Counter {
  count(name: string, dimensions?: Readonly<Record<string, string>>, value?: number): void;
}

/**
 * The part of a logger the handlers use; Powertools Logger is one. Errors go in `extra` as the
 * Error itself (`{ error }`): the logger records its name, message, stack and cause.
 */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** A handler's logger: also takes each invocation's Lambda context (request id, cold start). */
export interface HandlerLog extends Log {
  addContext(context: LambdaContext): void;
}

/**
 * The fields of every line: level, message, service, the invocation's request id, and
 * `cold_start: true` on the lines of a cold start, then the line's own. Powertools' default adds
 * the function's ARN, name and memory size, a timestamp, the sampling rate and an X-Ray id; the
 * log group, CloudWatch's own event time and the untraced functions make those repeats, and at
 * one line per callback they were most of the bytes billed.
 */
class LeanLogFormatter extends LogFormatter {
  constructor(private readonly lambdaRequestId: LoggerOptions['lambdaRequestId'] = 'every-line') {
    super();
  }

  formatAttributes(attributes: UnformattedAttributes, extra: LogAttributes): LogItem {
    const withRequestId = this.lambdaRequestId === 'every-line' || attributes.logLevel !== 'INFO';
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        service: attributes.serviceName,
        // Only when true: `false` on every warm line was bytes that said nothing.
        cold_start: attributes.lambdaContext?.coldStart === true ? true : undefined,
        function_request_id: withRequestId ? attributes.lambdaContext?.awsRequestId : undefined,
      },
    }).addAttributes(extra);
  }
}

export interface LoggerOptions {
  /**
   * `problems`: Lambda's request id on WARN and ERROR lines only. For ingest, whose INFO line is
   * the invocation's only line and carries the API request id (the key its access log, queue
   * message, archive and consume's lines share), Lambda's id correlates nothing and adds bytes
   * per callback. Default `every-line`.
   */
  readonly lambdaRequestId?: 'every-line' | 'problems';
}

export const createLogger = (serviceName: string, options: LoggerOptions = {}): HandlerLog => {
  const logger = new Logger({ serviceName, logFormatter: new LeanLogFormatter(options.lambdaRequestId) });
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
    addContext: (context) => logger.addContext(context),
  };
};

/** A counter that keeps its counts until `flush`: one invocation's metrics leave in as few lines as they can. */
export interface BufferedCounter extends Counter {
  flush(): void;
}

/**
 * A counter that sums counts during an invocation and writes them on `flush` as CloudWatch
 * Embedded Metric Format lines on stdout (Lambda turns those into metrics): one line per set of
 * dimension values, each declaring both its dimensions and `service` alone, so alarms can watch
 * the total without a second line. Written here rather than with Powertools Metrics: the format
 * is a few fields, and ingest loads nothing it does not need at a cold start.
 */
export const createCounter = (
  serviceName: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  options: {
    /** Metrics a metric filter derives from log lines (LOG_LINE_METRICS): counted, never written. */
    readonly fromLogLines?: readonly string[];
  } = {},
): BufferedCounter => {
  const fromLogLines = new Set(options.fromLogLines ?? []);
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || NAMESPACE;
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED === 'true';
  /** Per distinct dimension values (as JSON): those dimensions and the sums of each metric. */
  let pending = new Map<string, { dimensions: Record<string, string>; sums: Map<string, number> }>();
  return {
    count(name, dimensions = {}, value = 1) {
      if (disabled || fromLogLines.has(name)) return;
      const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
      let group = pending.get(key);
      if (!group) {
        group = { dimensions: { ...dimensions }, sums: new Map() };
        pending.set(key, group);
      }
      group.sums.set(name, (group.sums.get(name) ?? 0) + value);
    },
    flush() {
      const groups = pending;
      pending = new Map();
      for (const { dimensions, sums } of groups.values()) {
        const names = Object.keys(dimensions);
        const sets = names.length > 0 ? [['service'], ['service', ...names]] : [['service']];
        const metric = {
          Namespace: namespace,
          Dimensions: sets,
          Metrics: [...sums.keys()].map((name) => ({ Name: name, Unit: 'Count' })),
        };
        write(
          JSON.stringify({
            _aws: { Timestamp: Date.now(), CloudWatchMetrics: [metric] },
            service: serviceName,
            ...dimensions,
            ...Object.fromEntries(sums),
          }),
        );
      }
    },
  };
};

/** The handler, with the counter's metrics written when each invocation ends (also when it throws). */
export const flushingMetrics =
  <A extends unknown[], R>(counter: BufferedCounter, handler: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } finally {
      counter.flush();
    }
  };
