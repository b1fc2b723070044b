import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CloudFormationStandIn {
  /** The environment of a tool that asks this stand-in (`AWS_ENDPOINT_URL_CLOUDFORMATION`). */
  readonly env: NodeJS.ProcessEnv;
  /** The bodies of the requests it answered. */
  readonly requests: readonly string[];
  close(): Promise<unknown>;
}

/** A stand-in for CloudFormation's DescribeStacks (AWS Query protocol), answering one stack's outputs. */
export async function cloudFormationStandIn(outputs: Record<string, string>): Promise<CloudFormationStandIn> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push(body);
      const members = Object.entries(outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
        )
        .join('');
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>HealthIngest</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    env: { ...process.env, AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${port}` },
    requests,
    close: () => new Promise((resolveClose) => server.close(resolveClose)),
  };
}
