/** Lambda handler for the tables' DynamoDB streams: turns item changes into domain events on EventBridge. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as v from 'valibot';
import { readConfig, requiredString } from './commons/config.js';
import { eventBridgeSink, tableByStreamArn } from './commons/events/eventbridge-sink.js';
import { createPublisherHandler } from './commons/events/publisher.js';
import { createCounter, createLogger, flushingMetrics } from './commons/telemetry.js';

const config = readConfig(
  v.object({
    CALLS_TABLE: requiredString('CALLS_TABLE'),
    JOBS_TABLE: requiredString('JOBS_TABLE'),
    EVENT_BUS_NAME: requiredString('EVENT_BUS_NAME'),
    EVENTS_INCLUDE_PHONE: v.optional(
      v.picklist(['true', 'false'], 'EVENTS_INCLUDE_PHONE must be true or false'),
      'false',
    ),
    AWS_ENDPOINT_URL_EVENTBRIDGE: v.optional(v.string()),
  }),
);

const counter = createCounter('events');

export const handler = flushingMetrics(
  counter,
  createPublisherHandler({
    sink: eventBridgeSink(
      new EventBridgeClient(
        config.AWS_ENDPOINT_URL_EVENTBRIDGE ? { endpoint: config.AWS_ENDPOINT_URL_EVENTBRIDGE } : {},
      ),
      config.EVENT_BUS_NAME,
    ),
    tableOf: tableByStreamArn({ calls: config.CALLS_TABLE, jobs: config.JOBS_TABLE }),
    includePhone: config.EVENTS_INCLUDE_PHONE === 'true',
    logger: createLogger('events'),
    counter,
  }),
);
