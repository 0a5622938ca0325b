/**
 * Where the local stack listens. `npm start` and the `--local` CLIs (records, reconcile,
 * simulate, replay) agree through these defaults, each overridable by flag or environment.
 */
import { LOOPBACK } from './ports.js';

// The local tools run on Node.js 20 (the documented local platform); the deployed functions run
// on nodejs24.x. The SDK's notice about Node 22 is not actionable here, so it is silenced.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const LOCAL_PORTS = {
  api: Number(process.env.PORT ?? 3000),
  dynamo: Number(process.env.DYNAMO_PORT ?? 8000),
  aws: Number(process.env.AWS_EMULATOR_PORT ?? 4566),
  byrobot: Number(process.env.BYROBOT_PORT ?? 4580),
} as const;

export const localEndpoints = (ports: { dynamo: number; aws: number } = LOCAL_PORTS) => ({
  dynamoEndpoint: `http://${LOOPBACK}:${ports.dynamo}`,
  awsEndpoint: `http://${LOOPBACK}:${ports.aws}`,
});

/** Shared flags of the `--local` CLIs. */
export const LOCAL_FLAGS = {
  local: { type: 'boolean', default: false },
  'dynamo-port': { type: 'string', default: String(LOCAL_PORTS.dynamo) },
  'aws-port': { type: 'string', default: String(LOCAL_PORTS.aws) },
  'byrobot-port': { type: 'string', default: String(LOCAL_PORTS.byrobot) },
} as const;
