import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * One SQS client per process, created at cold start, for sending to one queue. Its endpoint is
 * the queue URL's origin: on AWS that is the regional endpoint the SDK would choose anyway, and
 * under the local runtime it is the runtime's in-process queue (without an endpoint the SDK
 * follows a URL on another host too, but warns on every call).
 */
export function createSqsClient(queueUrl: string): SQSClient {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  return new SQSClient({
    endpoint: new URL(queueUrl).origin,
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 1000,
      requestTimeout: 3000,
      // As for DynamoDB (functions/commons/dynamodb-client.ts): abandon and retry a call that
      // is never answered instead of waiting for the function's deadline.
      throwOnRequestTimeout: true,
    }),
  });
}
