/**
 * How every function of the stack is built: esbuild-bundled ESM (minified, source maps) for the
 * chosen runtime and architecture (default: the newest Node.js runtime, arm64), its own role (no
 * managed policies) and its own log group with retention, and the Powertools environment.
 *
 * No X-Ray active tracing: without the SDK clients captured (Powertools Tracer) a trace shows
 * only the invocation, and capturing them adds the tracer to every cold start of ingest, the
 * function 百应 waits on; Lambda has no X-Ray integration in the China regions either. Logs carry
 * the request ids instead.
 */
import { fileURLToPath } from 'node:url';
import { type CfnElement, type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/commons/definitions.js';
import { BUNDLING, bundlingTargetOf } from './bundling.js';
import { LAMBDA_RUNTIMES, type LambdaRuntimeName } from './config.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const RUNTIMES: Readonly<Record<LambdaRuntimeName, lambda.Runtime>> = {
  'nodejs24.x': lambda.Runtime.NODEJS_24_X,
  'nodejs22.x': lambda.Runtime.NODEJS_22_X,
  'nodejs20.x': lambda.Runtime.NODEJS_20_X,
};

/** What every function of the stack shares. */
export interface FunctionSettings {
  /** Lambda runtime; the bundling target follows it. @default nodejs24.x (from context) */
  readonly runtime: LambdaRuntimeName;
  /** @default arm64 (from context) */
  readonly architecture: 'arm64' | 'x86_64';
  readonly logRetention: logs.RetentionDays;
}

export interface ReceiverFunctionProps {
  /** File under functions/, without extension: `ingest`, `consume`, `reconcile`. */
  readonly handler: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  readonly settings: FunctionSettings;
}

export class ReceiverFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ReceiverFunctionProps) {
    super(scope, id);
    const { settings } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role with exactly the log permissions it needs, instead of AWSLambdaBasicExecutionRole.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.handler}: least-privilege execution role`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}functions/${props.handler}.ts`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: RUNTIMES[settings.runtime],
      architecture:
        settings.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Lambda's own START/END/REPORT lines were the largest cost above the design floor (three
      // lines per ingest request). Duration, errors and throttles stay as Lambda metrics; the
      // functions' own lines carry the request id. Platform warnings and errors are still logged.
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.handler,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: bundlingTargetOf(settings.runtime),
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: [...BUNDLING.mainFields],
        banner: BUNDLING.banner,
        externalModules: [...(BUNDLING.externalByHandler[props.handler] ?? [])],
      },
    });
    const logGroupId = Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup);
    this.acknowledgeWildcard(
      `Resource::<${logGroupId}.Arn>:log-stream:*`,
      "Log streams are created per execution environment with generated names; the grant is limited to this function's own log group.",
    );
    Validations.of(this.fn).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        'X-Ray is off by design (see the module comment): the tracer would slow every cold start of ingest, and logs carry the request id.',
    });
    if (settings.runtime !== LAMBDA_RUNTIMES[0]) {
      for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
        Validations.of(this.fn).acknowledge({
          id,
          reason: `The deployer chose ${settings.runtime} (context lambdaRuntime) for a region that does not offer ${LAMBDA_RUNTIMES[0]} yet.`,
        });
      }
    }
    Validations.of(this.fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Never invoked asynchronously: API Gateway calls it synchronously, or SQS/EventBridge drive it with their own retry and DLQ.',
    });
  }

  /** Records why a wildcard in this function's role is the narrowest grant possible. */
  acknowledgeWildcard(finding: string, reason: string): void {
    Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }

  /**
   * A grant on the objects under one prefix of a bucket: the prefix is the boundary. Under a
   * customer-managed key, writing needs the key's data keys and reading its decrypt.
   */
  grantObjects(
    actions: string[],
    bucket: {
      arnForObjects(pattern: string): string;
      node: Construct['node'];
      readonly encryptionKey?: kms.IKey | undefined;
    },
    prefix: string,
  ): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
    );
    const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement);
    this.acknowledgeWildcard(
      `Resource::<${bucketId}.Arn>/${prefix}*`,
      `Object keys under ${prefix} are generated per callback or batch; access is limited to that prefix.`,
    );
    const key = bucket.encryptionKey;
    if (key && actions.includes('s3:PutObject')) key.grantEncryptDecrypt(this.role);
    else if (key && actions.includes('s3:GetObject')) key.grantDecrypt(this.role);
  }

  /** Listing (with every version when `versions`) of one prefix of a bucket, and nothing else of it. */
  grantListing(bucket: s3.IBucket, prefix: string, versions: boolean): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: versions ? ['s3:ListBucket', 's3:ListBucketVersions'] : ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${prefix}*` } },
      }),
    );
  }
}
