/// <reference path="./.sst/platform/config.d.ts" />

/**
 * One stage per customer: `npx sst deploy --stage <customer>`. Stages named `dev`, `test`, `dev-*` or
 * `test-*` are disposable; any other stage holds a customer's data.
 */
export default $config({
  app(input) {
    const customer = !/^(dev|test)(-[a-z0-9-]+)?$/.test(input.stage);
    return {
      name: 'identities',
      home: 'aws',
      // A customer's stage keeps its bucket and table when removed (infra/ reads this as "customer stage").
      removal: customer ? 'retain' : 'remove',
      // ...and is not removed at all unless the operator names it: IDENTITIES_UNPROTECT_STAGE=<stage>.
      protect: customer && process.env.IDENTITIES_UNPROTECT_STAGE !== input.stage,
    };
  },
  async run() {
    const { bucket, table } = await import('./infra/storage.ts');
    const { api, baseUrl } = await import('./infra/api.ts');
    const { alarmTopic } = await import('./infra/alarms.ts');
    return {
      url: baseUrl,
      api: api.url,
      bucket: bucket.name,
      table: table.name,
      alarmTopic: alarmTopic.arn,
    };
  },
});
