import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableDefinition } from '@identities/aws';
import { ALLOWED_REQUEST_HEADERS, EXPOSED_HEADERS, jobs, routes } from '@identities/core/infra';
import { beforeAll, describe, expect, it } from 'vitest';
import { SST_BUILD_OPTIONS } from '../../scripts/bundle.ts';
import {
  deployedRoutes,
  environmentOf,
  inlineStatements,
  methods,
  only,
  type PolicyStatement,
  routeMethods,
  routeOf,
  T,
  text,
} from './support/deployed.ts';
import { expectedSstEnv } from './support/sst-env.ts';
import { buildStage, ROOT, type StageBuild } from './support/sst-stage.ts';

const JWT = {
  JwtIssuer: 'https://login.acme.example/',
  JwtAudience: 'identities, web',
  JwtJwksUrl: 'https://login.acme.example/jwks',
};

let build: StageBuild;
beforeAll(async () => {
  build = await buildStage('acme', JWT);
  if (build.failures.length > 0) throw build.failures[0];
}, 120_000);

const routeFor = (method: string, path: string) => routeOf(routes, method, path);

describe('a customer stage', () => {
  it('is retained and protected', () => {
    expect(build.app).toMatchObject({ name: 'identities', home: 'aws', removal: 'retain', protect: true });
    for (const type of [T.bucket, T.table]) expect(only(build.ofType(type)).retainOnDelete).toBe(true);
    expect(only(build.ofType(T.table)).inputs.deletionProtectionEnabled).toBe(true);
    expect(only(build.ofType(T.bucket)).inputs.forceDestroy).toBe(false);
  });

  it('answers exactly the routes of the route table, each with a function of its own', () => {
    const served = methods(build).filter(({ method }) => method !== 'OPTIONS');
    expect(served.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(routeMethods(routes));
    // Plus one for each scheduled job, checked below.
    expect(build.ofType(T.lambda)).toHaveLength(routes.length + jobs.length);
    const functionOf = new Map<string, string>();
    for (const { method, path, lambda } of deployedRoutes(build)) {
      const route = routeFor(method, path);
      expect(text(lambda, 'handler')).toBe(route.handler);
      // GET and HEAD of one route share its function; no two routes share one.
      expect(functionOf.get(route.id) ?? lambda.urn).toBe(lambda.urn);
      functionOf.set(route.id, lambda.urn);
    }
    expect(new Set(functionOf.values()).size).toBe(routes.length);
  });

  it('streams exactly the responses the route table streams', () => {
    for (const { method, path, integration } of deployedRoutes(build)) {
      const streamed = routeFor(method, path).response === 'stream';
      expect(integration.inputs.type).toBe('AWS_PROXY');
      expect(integration.inputs.responseTransferMode).toBe(streamed ? 'STREAM' : 'BUFFERED');
      expect(text(integration, 'uri')).toMatch(streamed ? /\/response-streaming-invocations$/ : /\/invocations$/);
    }
  });

  it('sizes each function as its route says, on a current Node.js runtime for arm64', () => {
    for (const { method, path, lambda, integration } of deployedRoutes(build)) {
      const route = routeFor(method, path);
      expect(lambda.inputs).toMatchObject({
        runtime: 'nodejs24.x',
        architectures: ['arm64'],
        memorySize: route.memoryMb,
        timeout: route.timeoutSeconds,
      });
      // API Gateway must not cut a response off before the function is done with it.
      const limit = route.response === 'stream' ? route.timeoutSeconds * 1000 : 29_000;
      expect(integration.inputs.timeoutMilliseconds).toBe(limit);
    }
  });

  it("passes each function the settings it reads, and the table's name only to those that use it", () => {
    const bucketName = text(only(build.ofType(T.bucket)), 'bucket');
    const tableName = text(only(build.ofType(T.table)), 'name');
    for (const { method, path, lambda } of deployedRoutes(build)) {
      const route = routeFor(method, path);
      const environment = environmentOf(lambda);
      expect(environment).toMatchObject({
        BUCKET_NAME: bucketName,
        JWT_ISSUER: 'https://login.acme.example/',
        JWT_AUDIENCE: 'identities,web',
        JWT_JWKS_URL: 'https://login.acme.example/jwks',
        CORS_ALLOWED_ORIGINS: 'https://acme.econnectcloud.com',
        LOG_LEVEL: 'info',
        AUDIT_RETENTION_DAYS: '400',
        AUDIT_PHOTO_DOWNLOADS: 'off',
      });
      expect(environment.TABLE_NAME).toBe(route.access.items.length > 0 ? tableName : undefined);
    }
    // The photo functions know the table for their access events, written only when a stage turns them on.
    const photos = deployedRoutes(build).filter(({ method, path }) => method === 'GET' && path.includes('Photo'));
    expect(photos).toHaveLength(2);
    for (const { lambda } of photos) expect(environmentOf(lambda).TABLE_NAME).toBe(tableName);
  });

  describe('permissions', () => {
    const arns = () => ({
      bucket: `arn:aws:s3:::${text(only(build.ofType(T.bucket)), 'bucket')}`,
      table: `arn:aws:dynamodb:eu-central-1:123456789012:table/${text(only(build.ofType(T.table)), 'name')}`,
    });
    const statementsOf = (method: string, path: string): PolicyStatement[] => {
      const deployed = deployedRoutes(build).find((route) => route.method === method && route.path === path);
      if (deployed === undefined) throw new Error(`${method} ${path} is not deployed`);
      return inlineStatements(deployed.role);
    };
    const leadingKeys = (pattern: string) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] } });

    it('lets the photo functions read faces/, list only their own keys (a missing photo is a 404) and put access events under faces', () => {
      const { table } = arns();
      for (const [path, keys] of [
        ['/api/v1/people/enrollmentPhoto/{faceId}', 'faces/*/enrollment.jpg'],
        ['/api/v1/people/detectionPhoto/{faceId}/{detectionId}', 'faces/*/detections/*.jpg'],
      ] as const) {
        expect(statementsOf('GET', path)).toEqual([
          { effect: 'Allow', actions: ['s3:GetObject'], resources: [`${arns().bucket}/faces/*`], conditions: {} },
          {
            effect: 'Allow',
            actions: ['s3:ListBucket'],
            resources: [arns().bucket],
            conditions: { StringLike: { 's3:prefix': [keys] } },
          },
          { effect: 'Allow', actions: ['dynamodb:PutItem'], resources: [table], conditions: leadingKeys('FACE#*') },
        ]);
      }
    });

    it('lets the document download read people/, document items and roles, and put access events', () => {
      const { bucket, table } = arns();
      expect(statementsOf('GET', '/api/v1/people/{personId}/fileDocuments/{documentId}/data')).toEqual([
        { effect: 'Allow', actions: ['s3:GetObject'], resources: [`${bucket}/people/*`], conditions: {} },
        {
          effect: 'Allow',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [table],
          conditions: leadingKeys('PERSON#*'),
        },
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [table], conditions: leadingKeys('ROLE') },
      ]);
    });

    it('lets the access trail query person items and read roles, and nothing else', () => {
      const { table } = arns();
      expect(statementsOf('GET', '/api/v1/people/{personId}/auditTrail')).toEqual([
        { effect: 'Allow', actions: ['dynamodb:Query'], resources: [table], conditions: leadingKeys('PERSON#*') },
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [table], conditions: leadingKeys('ROLE') },
      ]);
    });

    it('lets the upload write and delete under people/, put document items and read roles', () => {
      const { bucket, table } = arns();
      expect(statementsOf('POST', '/api/v1/people/fileDocuments/upload')).toEqual([
        {
          effect: 'Allow',
          actions: ['s3:PutObject', 's3:DeleteObject'],
          resources: [`${bucket}/people/*`],
          conditions: {},
        },
        { effect: 'Allow', actions: ['dynamodb:PutItem'], resources: [table], conditions: leadingKeys('PERSON#*') },
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [table], conditions: leadingKeys('ROLE') },
      ]);
    });

    it('lets the session start sign uploads to uploads/ only, reserve (and release) document items and read roles', () => {
      const { bucket, table } = arns();
      expect(statementsOf('POST', '/api/v1/people/fileDocuments/uploadSessions')).toEqual([
        { effect: 'Allow', actions: ['s3:PutObject'], resources: [`${bucket}/uploads/*`], conditions: {} },
        {
          effect: 'Allow',
          actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          resources: [table],
          conditions: leadingKeys('PERSON#*'),
        },
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [table], conditions: leadingKeys('ROLE') },
      ]);
    });

    it('lets the session completion read and delete uploads/, copy into people/, and write document items', () => {
      const { bucket, table } = arns();
      expect(statementsOf('POST', '/api/v1/people/fileDocuments/uploadSessions/{documentId}/complete')).toEqual([
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:DeleteObject'],
          resources: [`${bucket}/uploads/*`],
          conditions: {},
        },
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [`${bucket}/people/*`],
          conditions: {},
        },
        {
          effect: 'Allow',
          actions: ['s3:ListBucket'],
          resources: [bucket],
          conditions: { StringLike: { 's3:prefix': ['uploads/*'] } },
        },
        {
          effect: 'Allow',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [table],
          conditions: leadingKeys('PERSON#*'),
        },
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [table], conditions: leadingKeys('ROLE') },
      ]);
    });

    it('runs the orphan sweep daily, listing and deleting under people/ only, reading document items', () => {
      const { bucket, table } = arns();
      const sweep = build.ofType(T.lambda).find((lambda) => text(lambda, 'handler') === jobs[0].handler);
      expect(sweep).toBeDefined();
      const schedules = build.ofType('aws:cloudwatch/eventRule:EventRule');
      expect(schedules.map(({ inputs }) => inputs.scheduleExpression)).toEqual(['rate(1 day)']);
      expect(environmentOf(sweep as NonNullable<typeof sweep>)).not.toHaveProperty('JWT_ISSUER');
      const role = build.ofType(T.role).find(({ name }) => name.startsWith('SweepOrphanDocuments'));
      expect(inlineStatements(role as NonNullable<typeof role>)).toEqual([
        { effect: 'Allow', actions: ['s3:DeleteObject'], resources: [`${bucket}/people/*`], conditions: {} },
        {
          effect: 'Allow',
          actions: ['s3:ListBucket'],
          resources: [bucket],
          conditions: { StringLike: { 's3:prefix': ['people/*'] } },
        },
        { effect: 'Allow', actions: ['dynamodb:GetItem'], resources: [table], conditions: leadingKeys('PERSON#*') },
      ]);
    });

    it('grants no wildcard action and nothing outside the bucket prefixes and the table', () => {
      const { bucket, table } = arns();
      for (const { method, path, role } of deployedRoutes(build)) {
        const route = routeFor(method, path);
        const prefixes = route.access.objects.map(({ prefix }) => `${bucket}/${prefix}*`);
        for (const statement of inlineStatements(role)) {
          expect(statement.effect).toBe('Allow');
          for (const action of statement.actions) expect(action).toMatch(/^(s3|dynamodb):[A-Za-z]+$/);
          const indexes = route.access.items.flatMap((item) =>
            'index' in item ? [`${table}/index/${item.index}`] : [],
          );
          for (const resource of statement.resources) {
            expect([...prefixes, bucket, table, ...indexes]).toContain(resource);
          }
          if (statement.resources.some((resource) => resource === table || indexes.includes(resource))) {
            expect(Object.keys(statement.conditions)).toEqual(['ForAllValues:StringLike']);
          }
          // The bucket itself only to list (objects, or their versions), and only under the route's own prefixes.
          if (statement.resources.includes(bucket)) {
            expect([['s3:ListBucket'], ['s3:ListBucketVersions']]).toContainEqual(statement.actions);
            const listed = (statement.conditions as { StringLike?: { 's3:prefix'?: string[] } }).StringLike?.[
              's3:prefix'
            ];
            expect(listed?.length).toBe(1);
            expect(route.access.objects.some(({ prefix }) => listed?.[0]?.startsWith(prefix))).toBe(true);
          }
        }
        // Logging only, through the managed policy; no `link` grants.
        expect(role.inputs.managedPolicyArns).toEqual([
          'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ]);
      }
    });

    it('lets only Lambda assume a function role', () => {
      for (const { role } of deployedRoutes(build)) {
        const trust = role.inputs.assumeRolePolicy;
        const document = (typeof trust === 'string' ? JSON.parse(trust) : trust) as {
          Statement: { Principal: unknown }[];
        };
        expect(document.Statement.map(({ Principal }) => Principal)).toEqual([{ Service: 'lambda.amazonaws.com' }]);
      }
    });
  });

  describe('storage', () => {
    it('keeps the bucket private, encrypted, TLS-only and versioned, expiring old versions', () => {
      const bucket = only(build.ofType(T.bucket));
      const name = text(bucket, 'bucket');
      expect(only(build.ofType('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')).inputs).toEqual({
        bucket: name,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const encryption = only(
        build.ofType('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration'),
      );
      expect(encryption.inputs).toMatchObject({
        bucket: name,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      });
      const policy = JSON.parse(text(only(build.ofType('aws:s3/bucketPolicy:BucketPolicy')), 'policy')) as {
        Statement: Record<string, unknown>[];
      };
      expect(policy.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': ['false'] } } }),
      );
      expect(policy.Statement.filter(({ Effect }) => Effect === 'Allow')).toEqual([]);
      expect(only(build.ofType('aws:s3/bucketVersioning:BucketVersioning')).inputs).toMatchObject({
        bucket: name,
        versioningConfiguration: { status: 'Enabled' },
      });
      const lifecycle = only(build.ofType('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration'));
      expect(lifecycle.inputs).toMatchObject({
        bucket: name,
        rules: [
          { status: 'Enabled', noncurrentVersionExpiration: { noncurrentDays: 90 } },
          {
            status: 'Enabled',
            filter: { prefix: 'uploads/' },
            expiration: { days: 1 },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
          },
        ],
      });
      // Browsers POST presigned uploads there and GET download links, from the customer's web app only.
      const cors = only(build.ofType('aws:s3/bucketCorsConfiguration:BucketCorsConfiguration')).inputs;
      expect(cors).toMatchObject({
        bucket: name,
        corsRules: [
          {
            allowedOrigins: ['https://acme.econnectcloud.com'],
            allowedMethods: ['GET', 'POST'],
            allowedHeaders: ['Range', 'If-None-Match'],
          },
        ],
      });
      const [rule] = (cors as { corsRules: { exposeHeaders: string[] }[] }).corsRules;
      expect([...(rule?.exposeHeaders ?? [])].sort()).toEqual(
        ['Accept-Ranges', 'Content-Disposition', 'Content-Length', 'Content-Range', 'ETag'].sort(),
      );
    });

    it('keeps metadata in an on-demand table with point-in-time recovery and the keys the adapters use', () => {
      const table = only(build.ofType(T.table));
      const definition = tableDefinition('any');
      expect(table.inputs).toMatchObject({
        billingMode: definition.BillingMode,
        pointInTimeRecovery: { enabled: true },
        // Upload sessions never completed expire by DynamoDB's TTL.
        ttl: { attributeName: 'expiresAt', enabled: true },
        hashKey: definition.KeySchema?.find(({ KeyType }) => KeyType === 'HASH')?.AttributeName,
        rangeKey: definition.KeySchema?.find(({ KeyType }) => KeyType === 'RANGE')?.AttributeName,
      });
      expect(table.inputs.attributes).toEqual(
        definition.AttributeDefinitions?.map(({ AttributeName, AttributeType }) => ({
          name: AttributeName,
          type: AttributeType,
        })),
      );
      // The documents-by-time index the list reads, as the stand-in's table declares it.
      expect(table.inputs.globalSecondaryIndexes).toEqual(
        definition.GlobalSecondaryIndexes?.map((index) => ({
          name: index.IndexName,
          hashKey: index.KeySchema?.find(({ KeyType }) => KeyType === 'HASH')?.AttributeName,
          rangeKey: index.KeySchema?.find(({ KeyType }) => KeyType === 'RANGE')?.AttributeName,
          projectionType: index.Projection?.ProjectionType,
        })),
      );
    });
  });

  describe('the API', () => {
    it('is served at https://acme.econnectcloud.com/identities', () => {
      const domain = only(build.ofType('aws:apigateway/domainName:DomainName'));
      expect(domain.inputs).toMatchObject({
        domainName: 'acme.econnectcloud.com',
        endpointConfiguration: { types: 'REGIONAL' },
      });
      expect(only(build.ofType('aws:apigateway/basePathMapping:BasePathMapping')).inputs).toMatchObject({
        basePath: 'identities',
        stageName: 'acme',
      });
      const aliases = build.ofType('aws:route53/record:Record').filter(({ inputs }) => inputs.aliases !== undefined);
      expect(aliases.map(({ inputs }) => `${inputs.type} ${inputs.name}`).sort()).toEqual([
        'A acme.econnectcloud.com',
        'AAAA acme.econnectcloud.com',
      ]);
      expect(only(build.ofType('aws:acm/certificate:Certificate')).inputs).toMatchObject({
        domainName: 'acme.econnectcloud.com',
        validationMethod: 'DNS',
      });
      expect(build.outputs.url).toBe('https://acme.econnectcloud.com/identities');
    });

    it('treats every body as binary and is regional', () => {
      expect(only(build.ofType(T.restApi)).inputs).toMatchObject({
        binaryMediaTypes: ['*/*'],
        endpointConfiguration: { types: 'REGIONAL' },
      });
    });

    it('throttles the stage and logs its access for a year', () => {
      expect(only(build.ofType('aws:apigateway/methodSettings:MethodSettings')).inputs).toMatchObject({
        stageName: 'acme',
        methodPath: '*/*',
        settings: { throttlingRateLimit: 50, throttlingBurstLimit: 100, loggingLevel: 'OFF', dataTraceEnabled: false },
      });
      const stage = only(build.ofType('aws:apigateway/stage:Stage'));
      const destination = (stage.inputs.accessLogSettings as { destinationArn: string }).destinationArn;
      const accessLog = only(
        build.ofType(T.logGroup).filter(({ inputs }) => destination.endsWith(`:${String(inputs.name)}`)),
      );
      expect(accessLog.inputs.retentionInDays).toBe(365);
    });

    it('answers preflights for the web app on the same host, as the functions answer CORS', () => {
      const options = methods(build).filter(({ method }) => method === 'OPTIONS');
      const paths = [...new Set(routes.map(({ path }) => path))].sort();
      expect(options.map(({ path }) => path).sort()).toEqual(paths);
      const responses = build.ofType('aws:apigateway/integrationResponse:IntegrationResponse');
      expect(responses).toHaveLength(paths.length);
      for (const response of responses) {
        const path = options.find(({ resource }) => resource.inputs.resourceId === response.inputs.resourceId)?.path;
        const allowed = routeMethods(routes)
          .filter((method) => method.endsWith(` ${path}`))
          .map((method) => method.split(' ')[0]);
        const headers = response.inputs.responseParameters as Record<string, string>;
        expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'https://acme.econnectcloud.com'");
        expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(
          `'${ALLOWED_REQUEST_HEADERS.join(',')}'`,
        );
        expect(ALLOWED_REQUEST_HEADERS).toContain('Authorization');
        expect(headers['method.response.header.Access-Control-Allow-Methods']?.slice(1, -1).split(',').sort()).toEqual(
          [...allowed, 'OPTIONS'].sort(),
        );
      }
      for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
        const response = build
          .ofType('aws:apigateway/response:Response')
          .find(({ inputs }) => inputs.responseType === type);
        expect(response?.inputs.responseParameters).toMatchObject({
          'gatewayresponse.header.Access-Control-Allow-Origin': "'https://acme.econnectcloud.com'",
          'gatewayresponse.header.Access-Control-Expose-Headers': `'${EXPOSED_HEADERS.join(',')}'`,
          // API Gateway's own answers carry what every response of the API carries.
          'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
          'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000'",
        });
      }
    });

    it('redeploys when the routes or the CORS settings change', () => {
      const triggers = only(build.ofType('aws:apigateway/deployment:Deployment')).inputs.triggers as Record<
        string,
        string
      >;
      expect(JSON.parse(String(triggers.cors))).toMatchObject({ origin: 'https://acme.econnectcloud.com' });
      const integrations = Object.keys(triggers).filter((key) =>
        key.includes('aws:apigateway/integration:Integration'),
      );
      expect(integrations).toHaveLength(routeMethods(routes).length);
    });
  });

  describe('operations', () => {
    const alarms = () => build.ofType('aws:cloudwatch/metricAlarm:MetricAlarm');

    it('alarms on the 5xx rate, function errors and throttles, and table throttling, to one topic', () => {
      const topic = String(build.outputs.alarmTopic);
      expect(topic).toMatch(/^arn:aws:sns:eu-central-1:123456789012:identities-acme-AlarmsTopic-/);
      expect(build.ofType('aws:sns/topic:Topic')).toHaveLength(1);
      for (const alarm of alarms()) {
        expect(alarm.inputs.alarmActions).toEqual([topic]);
        expect(alarm.inputs.okActions).toEqual([topic]);
      }
      const metricsOf = (namespace: string) =>
        alarms().flatMap(({ inputs }) =>
          inputs.namespace === namespace
            ? [`${inputs.metricName}`]
            : ((inputs.metricQueries ?? []) as { metric?: { namespace: string; metricName: string } }[])
                .filter(({ metric }) => metric?.namespace === namespace)
                .map(({ metric }) => `${metric?.metricName}`),
        );
      expect(metricsOf('AWS/ApiGateway').sort()).toEqual(['5XXError', 'Count']);
      const functions = [...routes, ...jobs];
      expect(metricsOf('AWS/Lambda').sort()).toEqual([
        ...functions.map(() => 'Errors'),
        ...functions.map(() => 'Throttles'),
      ]);
      expect(metricsOf('AWS/DynamoDB').sort()).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
      const watched = alarms()
        .map(({ inputs }) => (inputs.dimensions as { FunctionName?: string } | undefined)?.FunctionName)
        .filter((name) => name !== undefined);
      expect(new Set(watched)).toEqual(new Set(build.ofType(T.lambda).map((lambda) => text(lambda, 'name'))));
    });

    it('keeps every log for a year', () => {
      const groups = build.ofType(T.logGroup);
      expect(groups).toHaveLength(routes.length + jobs.length + 1);
      for (const group of groups) expect(group.inputs.retentionInDays).toBe(365);
    });
  });

  it('is described by the committed sst-env.d.ts', () => {
    expect(readFileSync(join(ROOT, 'sst-env.d.ts'), 'utf8')).toBe(expectedSstEnv(build));
  });

  it('bundles every function of the route table as scripts/bundle.ts does', () => {
    const built = [...build.bundles.values()];
    expect(built.map(({ handler }) => handler).sort()).toEqual(
      [...routes, ...jobs].map(({ handler }) => handler).sort(),
    );
    for (const { properties } of built) {
      expect(properties).toMatchObject({
        format: SST_BUILD_OPTIONS.format,
        minify: SST_BUILD_OPTIONS.minify,
        sourcemap: SST_BUILD_OPTIONS.sourcemap,
        architecture: 'arm64',
      });
      expect(properties).not.toHaveProperty('install');
    }
  });
});
