/**
 * Logging and metrics. Powertools Logger writes one structured JSON line per call; metrics go
 * out as CloudWatch Embedded Metric Format lines. Handlers depend on the small `Counter` and
 * `Log` interfaces so tests can count and read logs without parsing output.
 */
import { Logger } from '@aws-lambda-powertools/logger';
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

export const createLogger = (serviceName: string): HandlerLog => {
  const logger = new Logger({ serviceName });
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
    addContext: (context) => logger.addContext(context),
  };
};

/**
 * A counter that writes each count at once as one CloudWatch Embedded Metric Format line on
 * stdout (Lambda turns those into metrics). A count with dimensions is also written without them
 * (only `service`), so alarms can watch the total. Written here rather than with Powertools
 * Metrics: the format is a few fields, and the ingest bundle's cold start budget is tight.
 */
export const createCounter = (
  serviceName: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Counter => {
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || NAMESPACE;
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED === 'true';
  const publish = (name: string, extra: Readonly<Record<string, string>>, value: number) => {
    const dimensions = { service: serviceName, ...extra };
    const metric = {
      Namespace: namespace,
      Dimensions: [Object.keys(dimensions)],
      Metrics: [{ Name: name, Unit: 'Count' }],
    };
    write(
      JSON.stringify({
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [metric] },
        ...dimensions,
        [name]: value,
      }),
    );
  };
  return {
    count(name, dimensions = {}, value = 1) {
      if (disabled) return;
      publish(name, {}, value);
      if (Object.keys(dimensions).length > 0) publish(name, dimensions, value);
    },
  };
};
