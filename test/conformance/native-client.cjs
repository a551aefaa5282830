// Preloaded (`node --require`) into the runtime interface client's process. The client's JavaScript loads
// its native addon (`rapid-client.node`, built from C++ by an install script that is not run here) and
// uses three of its calls: next() (replaced by the client's own HTTP poll when
// AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true), done() for a buffered result and error() for a failed
// invocation. This stands in for the addon with those three calls made over HTTP, as the addon makes them:
// POST .../response with the JSON result, POST .../error with Lambda-Runtime-Function-Error-Type and the
// X-Ray cause. Everything streamed (prelude, chunks, trailers) is the client's own JavaScript.
const http = require('node:http');
const Module = require('node:module');

const [hostname, port] = (process.env.AWS_LAMBDA_RUNTIME_API ?? '').split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(path, body, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        hostname,
        port: Number(port),
        path,
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => response.resume().on('end', resolve).on('error', reject),
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The runtime process fails loudly when the Runtime API cannot be reached, as the addon's abort() does. */
const fatal = (error) => {
  process.stderr.write(`native client stand-in: ${error}\n`);
  process.exit(1);
};

const nativeClient = {
  next() {
    throw new Error('next() over the addon is not stood in: set AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true');
  },
  done(id, bodyString) {
    post(`/2018-06-01/runtime/invocation/${id}/response`, bodyString, {}).catch(fatal);
  },
  error(id, bodyString, xrayString) {
    const errorType = (() => {
      try {
        return JSON.parse(bodyString).errorType ?? 'Unknown';
      } catch {
        return 'Unknown';
      }
    })();
    post(`/2018-06-01/runtime/invocation/${id}/error`, bodyString, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': errorType,
      'Lambda-Runtime-Function-XRay-Error-Cause': xrayString,
    }).catch(fatal);
  },
};

const load = Module._load;
Module._load = function loadStandingIn(request, parent, isMain) {
  if (request === './rapid-client.node') return nativeClient;
  return load.call(this, request, parent, isMain);
};
