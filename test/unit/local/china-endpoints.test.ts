/**
 * The CLIs against a stack in an aws-cn region: the deployed targets take region and endpoints
 * from the SDK's own resolution, so with `AWS_REGION=cn-north-1` every request goes to the
 * `.amazonaws.com.cn` endpoints. Requests are stopped before they leave the process.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { resolveTargets } from '../../../local/cli/targets.js';

class Stopped extends Error {}

/** The host a client would send `command` to, captured after endpoint resolution; nothing is sent. */
const hostOf = async (
  client: {
    middlewareStack: { add: (...args: never[]) => void };
    send: (command: never) => Promise<unknown>;
  },
  command: unknown,
): Promise<string> => {
  let host = '';
  const capture = (() => async (args: { request: { hostname?: string } }) => {
    host = args.request.hostname ?? '';
    throw new Stopped();
  }) as never;
  client.middlewareStack.add(capture, { step: 'build', priority: 'low', name: 'captureHost' } as never);
  await expect(client.send(command as never)).rejects.toBeInstanceOf(Stopped);
  return host;
};

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

test.each(['cn-north-1', 'cn-northwest-1'])(
  'with AWS_REGION=%s the records/replay targets resolve to the aws-cn endpoints',
  async (region) => {
    process.env.AWS_REGION = region;
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    const targets = await resolveTargets({
      local: false,
      dynamoPort: 0,
      awsPort: 0,
      callsTable: 'calls',
      jobsTable: 'jobs',
      bucket: 'bucket',
      queueUrl: `https://sqs.${region}.amazonaws.com.cn/123456789012/callbacks`,
    });
    try {
      expect(
        await hostOf(targets.doc as never, new GetCommand({ TableName: 'calls', Key: { pk: 'out#1' } })),
      ).toBe(`dynamodb.${region}.amazonaws.com.cn`);
      expect(await hostOf(targets.s3 as never, new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }))).toMatch(
        new RegExp(`^bucket\\.s3\\.${region}\\.amazonaws\\.com\\.cn$`),
      );
      expect(
        await hostOf(targets.sqs as never, new GetQueueAttributesCommand({ QueueUrl: targets.queueUrl })),
      ).toBe(`sqs.${region}.amazonaws.com.cn`);
    } finally {
      targets.close();
    }
    // The stack's outputs are read the same way (records/replay without explicit names).
    const cloudformation = new CloudFormationClient({});
    expect(
      await hostOf(cloudformation as never, new DescribeStacksCommand({ StackName: 'ByrobotCallbacks' })),
    ).toBe(`cloudformation.${region}.amazonaws.com.cn`);
    cloudformation.destroy();
  },
);
