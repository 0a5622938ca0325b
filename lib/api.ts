/**
 * The REST API 百应 posts to: `POST /callbacks/call` and `POST /callbacks/job` (optionally under a
 * secret first segment), callable only from the allowed source IPs (resource policy), throttled,
 * with JSON access logs and execution logs.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface CallbackApiProps {
  readonly ingest: lambda.IFunction;
  /** Allowed source IPs/CIDRs (validated in config.ts); ignored when `allowAllIps` is true. */
  readonly allowedIps: readonly string[];
  /** Open the API to every source IP: only when chosen explicitly. @default false (from context) */
  readonly allowAllIps: boolean;
  readonly secretPathSegment?: string;
  readonly throttleRate: number;
  readonly throttleBurst: number;
  readonly logRetention: logs.RetentionDays;
}

export const STAGE_NAME = 'v1';

export class CallbackApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly callUrl: string;
  readonly jobUrl: string;

  constructor(scope: Construct, id: string, props: CallbackApiProps) {
    super(scope, id);
    // Infrequent Access: half the ingestion price of Standard, and the access log is read only when
    // investigating (Logs Insights works; nothing subscribes to it or filters metrics from it).
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      logGroupClass: logs.LogGroupClass.INFREQUENT_ACCESS,
    });

    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          effect: iam.Effect.ALLOW,
          principals: [new iam.AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: ['execute-api:/*'],
        }),
        ...(props.allowAllIps
          ? []
          : [
              new iam.PolicyStatement({
                effect: iam.Effect.DENY,
                principals: [new iam.AnyPrincipal()],
                actions: ['execute-api:Invoke'],
                resources: ['execute-api:/*'],
                conditions: { NotIpAddress: { 'aws:SourceIp': [...props.allowedIps] } },
              }),
            ]),
      ],
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      // Unique to the stack: the alarms select the API's metrics by this name.
      restApiName: `${Stack.of(this).stackName}-callbacks`,
      description: '百应 (BYRobot) callback receiver',
      // Every body reaches ingest as its raw bytes (base64), so it decodes by the declared
      // charset (GBK, UTF-8, …) instead of API Gateway reading it as UTF-8 text.
      binaryMediaTypes: ['*/*'],
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      policy,
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttleRate,
        throttlingBurstLimit: props.throttleBurst,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        // No path or resource path: with a secret path segment they would put the secret in
        // every log line. The route is implied by the integration (call or job) in ingest's logs.
        // No request time (each log event has its timestamp) and no response length (the reply
        // is `success` or a short error): one line per callback is billed by the byte.
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigateway.AccessLogField.contextRequestId(),
            ip: apigateway.AccessLogField.contextIdentitySourceIp(),
            httpMethod: apigateway.AccessLogField.contextHttpMethod(),
            status: apigateway.AccessLogField.contextStatus(),
            integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
            errorMessage: apigateway.AccessLogField.contextErrorMessage(),
          }),
        ),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Per-method metrics carry a Resource dimension (the path, secret included) readable with
        // cloudwatch:ListMetrics; the API-level metrics the alarms use need no per-method detail.
        metricsEnabled: false,
        // The functions are not traced (lambda-function.ts), so a stage trace would end at the API.
        tracingEnabled: false,
      },
    });

    const root = props.secretPathSegment ? this.api.root.addResource(props.secretPathSegment) : this.api.root;
    const callbacks = root.addResource('callbacks');
    const integration = new apigateway.LambdaIntegration(props.ingest, {
      proxy: true,
      // One permission for the API, not one per method: a per-method permission names the path
      // (and so the secret segment) in the function's resource policy.
      scopePermissionToMethod: false,
      allowTestInvoke: false,
    });
    const validator = new apigateway.RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    for (const route of ['call', 'job']) {
      callbacks.addResource(route).addMethod('POST', integration, {
        requestValidator: validator,
        authorizationType: apigateway.AuthorizationType.NONE,
      });
    }
    const base = this.api
      .urlForPath(props.secretPathSegment ? `/${props.secretPathSegment}` : '/')
      .replace(/\/$/, '');
    this.callUrl = `${base}/callbacks/call`;
    this.jobUrl = `${base}/callbacks/job`;

    // 百应 can neither sign requests for AWS nor send credentials: the caller is identified by
    // its source IP (resource policy above) and, optionally, the secret path segment.
    for (const ruleId of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(this.api).acknowledge({
        id: ruleId,
        reason:
          '百应 callbacks cannot carry AWS or Cognito credentials; access is limited by the source-IP resource policy.',
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'Serverless-APIGWXrayEnabled',
      reason:
        'The functions are not traced (cold-start budget; see lib/lambda-function.ts): a trace would end at the API.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        "The resource policy admits only 百应's callback IP; a WAF web ACL is left to accounts that already run one.",
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role uses the AWS-managed policy made for it.',
    });
  }
}
