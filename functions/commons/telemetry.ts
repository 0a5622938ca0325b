/**
 * Logging and metrics. Powertools Logger writes one structured JSON line per call; metrics go
 * out as CloudWatch Embedded Metric Format through Powertools Metrics. Handlers depend on the
 * small `Counter` interface so tests can count without parsing EMF.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE as NAMESPACE } from './definitions.js';

export interface Counter {
  count(name: string, dimensions?: Readonly<Record<string, string>>, value?: number): void;
}

/** The part of a logger the handlers use; Powertools Logger is one. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const createLogger = (serviceName: string): Log => {
  const logger = new Logger({ serviceName });
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
};

/**
 * A counter that publishes each count at once as its own EMF line. A count with dimensions is
 * also published without them (only `service`), so alarms can watch the total.
 */
export const createCounter = (serviceName: string): Counter => {
  const metrics = new Metrics({ namespace: NAMESPACE, serviceName });
  const publish = (name: string, dimensions: Readonly<Record<string, string>>, value: number) => {
    const single = metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
    single.addMetric(name, MetricUnit.Count, value);
  };
  return {
    count(name, dimensions = {}, value = 1) {
      publish(name, {}, value);
      if (Object.keys(dimensions).length > 0) publish(name, dimensions, value);
    },
  };
};
