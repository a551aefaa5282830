import { localPolicy, PRINCIPAL_ACCESS, type StandIns } from '@identities/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS, startPolicedStores } from './support.ts';

let stores: Awaited<ReturnType<typeof startPolicedStores>>;
let standIns: StandIns;

beforeAll(async () => {
  stores = await startPolicedStores();
  standIns = stores.standIns;
});
afterAll(() => standIns.close());

const principals = [...PRINCIPAL_ACCESS.keys()];
const policyOf = (name: string) =>
  localPolicy(name, { bucket: standIns.bucket, table: standIns.table, region: 'us-east-1' });

describe('each function, the job and the operator, under the statements infra/ attaches', () => {
  it('has a scenario for every principal, so no policy goes untested', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...principals].sort());
  });

  it.each(principals)('%s does all it does with its own policy, and is denied nothing', async (name) => {
    stores.policies.clear();
    stores.denials.length = 0;
    await SCENARIOS[name]?.(standIns);
    expect(stores.denials).toEqual([]);
  });

  // The mutation proof: each statement is needed. Without any one of them the principal's scenario
  // fails, and the stores say why: its request was denied, as AWS would deny it.
  const cases = () =>
    principals.flatMap((name) => policyOf(name).map((statement, index) => ({ name, index, statement })));
  it('fails with AccessDenied when any one statement is taken away, for every principal', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(principals.length);
    for (const { name, index, statement } of all) {
      const reduced = policyOf(name).filter((_, position) => position !== index);
      stores.policies.clear();
      stores.policies.set(name, reduced);
      stores.denials.length = 0;
      const outcome = await SCENARIOS[name]?.(standIns).then(
        () => 'passed',
        () => 'failed',
      );
      const what = `${name} without ${JSON.stringify(statement)}`;
      expect(outcome, what).toBe('failed');
      expect(
        stores.denials.some((denial) => denial.principal === name),
        what,
      ).toBe(true);
    }
    stores.policies.clear();
  }, 120_000);
});
