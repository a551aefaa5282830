/**
 * IAM's evaluation of identity-based policies, for what this service's policies use: actions and
 * resource ARNs with `*` and `?` wildcards, the string condition operators (with `ForAllValues:` and
 * `ForAnyValue:`), explicit and implicit deny. Nothing else (no resource policies, boundaries, SCPs,
 * sessions or policy variables): those only AWS enforces.
 */

export interface PolicyStatement {
  /** Allow when absent, as the statements `infra/` attaches are. */
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: readonly {
    readonly test: string;
    readonly variable: string;
    readonly values: readonly string[];
  }[];
}

/** One action on one resource, with the condition keys the request carries (a set key as an array). */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** An explicit deny wins; otherwise any matching allow allows; otherwise the request is denied. */
export function evaluate(policy: readonly PolicyStatement[], request: AuthorizationRequest): Decision {
  let allowed = false;
  for (const statement of policy) {
    if (!applies(statement, request)) continue;
    if (statement.effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

export const isAllowed = (policy: readonly PolicyStatement[], request: AuthorizationRequest) =>
  evaluate(policy, request) === 'Allow';

function applies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  // Action names are case-insensitive; resource ARNs are not.
  if (!statement.actions.some((pattern) => wildcardMatch(pattern.toLowerCase(), request.action.toLowerCase()))) {
    return false;
  }
  if (!statement.resources.some((pattern) => arnMatch(pattern, request.resource))) return false;
  // Every condition must hold (AND); within one, any of its values may match (OR).
  return (statement.conditions ?? []).every((condition) => conditionHolds(condition, request.context ?? {}));
}

/**
 * An ARN against a pattern, segment by segment (`arn:partition:service:region:account:resource`):
 * a wildcard matches within its segment, and the resource segment's may span `/` and `:`.
 */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = splitArn(pattern);
  const arnParts = splitArn(arn);
  if (patternParts === undefined || arnParts === undefined) return false;
  return patternParts.every((part, index) => wildcardMatch(part, arnParts[index] ?? ''));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** `*` any run of characters (none included), `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string): boolean {
  // Iterative glob matching with backtracking to the last `*`: linear in practice, never exponential.
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const char = pattern[p];
    if (char === '?' || (char !== undefined && char !== '*' && char === value[v])) {
      p++;
      v++;
    } else if (char === '*') {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

const OPERATORS: Readonly<
  Record<string, { readonly negated: boolean; readonly test: (p: string, v: string) => boolean }>
> = {
  stringequals: { negated: false, test: (pattern, value) => pattern === value },
  stringnotequals: { negated: true, test: (pattern, value) => pattern === value },
  stringequalsignorecase: { negated: false, test: (p, v) => p.toLowerCase() === v.toLowerCase() },
  stringnotequalsignorecase: { negated: true, test: (p, v) => p.toLowerCase() === v.toLowerCase() },
  stringlike: { negated: false, test: wildcardMatch },
  stringnotlike: { negated: true, test: wildcardMatch },
};

/**
 * One condition as IAM decides it. A key missing from the request: false, but true for a negated
 * operator. `ForAllValues:` holds when every value of the request's set matches (so also for an empty
 * or missing set); `ForAnyValue:` when at least one does. An operator this evaluator does not know never
 * holds, so an unknown condition can only deny.
 */
function conditionHolds(
  condition: NonNullable<PolicyStatement['conditions']>[number],
  context: NonNullable<AuthorizationRequest['context']>,
): boolean {
  const [qualifier, name] = condition.test.includes(':')
    ? (condition.test.split(':', 2) as [string, string])
    : [undefined, condition.test];
  const operator = OPERATORS[name.toLowerCase()];
  if (operator === undefined) return false;
  // Condition key names are case-insensitive.
  const key = Object.keys(context).find((candidate) => candidate.toLowerCase() === condition.variable.toLowerCase());
  const given = key === undefined ? undefined : context[key];
  const matchesAny = (value: string) => condition.values.some((pattern) => operator.test(pattern, value));
  // A negated operator holds when the value matches none of the patterns.
  const holdsFor = (value: string) => (operator.negated ? !matchesAny(value) : matchesAny(value));
  const values = given === undefined ? [] : typeof given === 'string' ? [given] : given;
  if (qualifier?.toLowerCase() === 'forallvalues') return values.every(holdsFor);
  if (qualifier?.toLowerCase() === 'foranyvalue') return values.some(holdsFor);
  if (qualifier !== undefined) return false;
  if (given === undefined) return operator.negated;
  return values.some(holdsFor);
}
