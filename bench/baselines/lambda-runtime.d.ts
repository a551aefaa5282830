import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The streaming API the Lambda Node.js runtime provides as a global. */
declare global {
  var awslambda: {
    streamifyResponse(
      handler: (event: APIGatewayProxyEvent, responseStream: Writable) => Promise<void>,
    ): (event: APIGatewayProxyEvent, responseStream: Writable) => Promise<void>;
    HttpResponseStream: {
      from(stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }): Writable;
    };
  };
}
