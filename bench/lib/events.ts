import type { Route } from '@identities/core';
import { localContext, proxyEvent } from '@identities/local';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * The headers a request carries by the time API Gateway hands it to Lambda (CloudFront and API
 * Gateway add most of them), so the handlers parse as many as they would in production.
 */
export function requestHeaders(token: string, extra: Record<string, string> = {}): Record<string, string[]> {
  const headers: Record<string, string> = {
    Accept: '*/*',
    'Accept-Encoding': 'gzip, deflate, br',
    Authorization: `Bearer ${token}`,
    'CloudFront-Forwarded-Proto': 'https',
    'CloudFront-Is-Desktop-Viewer': 'true',
    'CloudFront-Is-Mobile-Viewer': 'false',
    'CloudFront-Viewer-Country': 'NL',
    Host: 'customer.econnectcloud.com',
    'User-Agent': 'curl/8.5.0',
    Via: '2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)',
    'X-Amz-Cf-Id': 'Yo2Tv1vbJv2L1lsbbmE3DaeD6kHGz3uA2VHJ3Jr1kn5yXG2JyrJ9yA==',
    'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678',
    'X-Forwarded-For': '203.0.113.10, 130.176.0.1',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...extra,
  };
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
}

export function apiEvent(
  route: Route,
  path: string,
  headers: Record<string, string[]>,
  body?: Buffer,
): APIGatewayProxyEvent {
  return proxyEvent({ route, method: route.method, path, headers, ...(body === undefined ? {} : { body }) });
}

export const lambdaContext = (memoryMb = 512): Context =>
  localContext({ functionName: 'bench', memoryMb, requestId: 'bench', deadline: Date.now() + 30_000 });

/** A multipart/form-data body as curl sends it (`-F name=value -F file=@...`). */
export function multipart(fields: Record<string, string>, file: { name: string; type: string; bytes: Buffer }) {
  const boundary = '------------------------bench0123456789ab';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
