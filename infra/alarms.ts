import { api, apiRoutes } from './api.ts';
import { scheduledJobs } from './jobs.ts';
import { table } from './storage.ts';

/**
 * The stage's alarms, all notifying one topic that the operator subscribes to (e-mail, chat, paging).
 * Each looks at 5-minute periods; missing data (no traffic) is not an alarm.
 */
export const alarmTopic = new sst.aws.SnsTopic('Alarms');

const PERIOD_SECONDS = 300;
/** Below this many requests in a period, a 5xx rate says nothing. */
const MIN_REQUESTS_FOR_RATE = 20;
/** Percent of requests answered 5xx. */
const MAX_SERVER_ERROR_PERCENT = 5;

const prefix = `${$app.name}-${$app.stage}`;
const notify = { alarmActions: [alarmTopic.arn], okActions: [alarmTopic.arn], treatMissingData: 'notBreaching' };

const apiStage = api.nodes.stage;
if (apiStage === undefined) throw new Error('the API has no stage after deploy()');
const apiDimensions = { ApiName: api.nodes.api.name, Stage: apiStage.stageName };

new aws.cloudwatch.MetricAlarm('AlarmApiServerErrors', {
  name: `${prefix}-api-5xx-rate`,
  alarmDescription: `More than ${MAX_SERVER_ERROR_PERCENT}% of requests answered 5xx`,
  comparisonOperator: 'GreaterThanThreshold',
  threshold: MAX_SERVER_ERROR_PERCENT,
  evaluationPeriods: 1,
  metricQueries: [
    {
      id: 'errors',
      metric: {
        namespace: 'AWS/ApiGateway',
        metricName: '5XXError',
        stat: 'Sum',
        period: PERIOD_SECONDS,
        dimensions: apiDimensions,
      },
    },
    {
      id: 'requests',
      metric: {
        namespace: 'AWS/ApiGateway',
        metricName: 'Count',
        stat: 'Sum',
        period: PERIOD_SECONDS,
        dimensions: apiDimensions,
      },
    },
    {
      id: 'rate',
      label: '5xx rate (%)',
      expression: `IF(requests >= ${MIN_REQUESTS_FOR_RATE}, 100 * errors / requests, 0)`,
      returnData: true,
    },
  ],
  ...notify,
});

const watchedFunctions = [
  ...apiRoutes.map(({ route, fn }) => ({ id: route.id, what: `${route.method} ${route.path}`, fn })),
  ...scheduledJobs.map(({ job, fn }) => ({ id: job.id, what: `${job.id} (${job.schedule})`, fn })),
];

for (const { id, what, fn } of watchedFunctions) {
  const functionName = fn.name;
  for (const metricName of ['Errors', 'Throttles']) {
    new aws.cloudwatch.MetricAlarm(`Alarm${id}${metricName}`, {
      name: `${prefix}-${id}-${metricName.toLowerCase()}`,
      alarmDescription: `${what}: Lambda ${metricName.toLowerCase()}`,
      namespace: 'AWS/Lambda',
      metricName,
      dimensions: { FunctionName: functionName },
      statistic: 'Sum',
      period: PERIOD_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      ...notify,
    });
  }
}

for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
  new aws.cloudwatch.MetricAlarm(`AlarmTable${metricName}`, {
    name: `${prefix}-table-${metricName === 'ReadThrottleEvents' ? 'read' : 'write'}-throttles`,
    alarmDescription: `DynamoDB ${metricName} on the metadata table`,
    namespace: 'AWS/DynamoDB',
    metricName,
    dimensions: { TableName: table.name },
    statistic: 'Sum',
    period: PERIOD_SECONDS,
    evaluationPeriods: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    ...notify,
  });
}
