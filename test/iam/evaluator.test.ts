import { arnMatch, evaluate, type PolicyStatement, wildcardMatch } from '@identities/local';
import { describe, expect, it } from 'vitest';

// Cases from AWS's IAM User Guide: "Policy evaluation logic", "IAM JSON policy elements: Condition
// operators", "Condition keys with multiple values" (ForAllValues/ForAnyValue), the S3 home-folder
// example policy, and DynamoDB's fine-grained access control with dynamodb:LeadingKeys.

describe('evaluate', () => {
  it('denies what no statement allows (implicit deny), and an explicit deny wins over any allow', () => {
    const allow: PolicyStatement = { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] };
    const deny: PolicyStatement = { effect: 'Deny', actions: ['s3:*'], resources: ['arn:aws:s3:::b/secret/*'] };
    expect(evaluate([], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toBe('ImplicitDeny');
    expect(evaluate([allow], { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' })).toBe('ImplicitDeny');
    expect(evaluate([allow, deny], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toBe('Allow');
    expect(evaluate([allow, deny], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/secret/k' })).toBe(
      'ExplicitDeny',
    );
    expect(evaluate([deny, allow], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/secret/k' })).toBe(
      'ExplicitDeny',
    );
  });

  it('matches action names case-insensitively with wildcards, and resource ARNs case-sensitively', () => {
    const policy: PolicyStatement[] = [{ actions: ['s3:Get*'], resources: ['arn:aws:s3:::b/faces/*'] }];
    expect(evaluate(policy, { action: 's3:getobject', resource: 'arn:aws:s3:::b/faces/x.jpg' })).toBe('Allow');
    expect(evaluate(policy, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/faces/x.jpg' })).toBe('ImplicitDeny');
    expect(evaluate(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/FACES/x.jpg' })).toBe('ImplicitDeny');
  });

  it('keeps an object grant off the bucket itself, and a table grant off its indexes', () => {
    expect(arnMatch('arn:aws:s3:::b/*', 'arn:aws:s3:::b')).toBe(false);
    expect(arnMatch('arn:aws:s3:::b/people/*', 'arn:aws:s3:::b/people/p/documents/d/u')).toBe(true);
    expect(arnMatch('arn:aws:s3:::b/people/*', 'arn:aws:s3:::b/peoplex')).toBe(false);
    const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/t';
    expect(arnMatch(table, `${table}/index/byStatus`)).toBe(false);
    expect(arnMatch(`${table}/index/*`, `${table}/index/byStatus`)).toBe(true);
    expect(arnMatch('arn:aws:dynamodb:*:*:table/t', table)).toBe(true);
    expect(arnMatch('arn:aws:dynamodb:us-west-2:*:table/t', table)).toBe(false);
    expect(arnMatch('*', table)).toBe(true);
  });

  it('matches * as any run of characters and ? as exactly one', () => {
    expect(wildcardMatch('faces/*/enrollment.jpg', 'faces/f1/enrollment.jpg')).toBe(true);
    expect(wildcardMatch('faces/*/enrollment.jpg', 'faces/f1/detections/d.jpg')).toBe(false);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a?c', 'ac')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('a*b*c', 'a'.repeat(5000))).toBe(false);
  });

  // The S3 example "Allows IAM users access to their S3 home directory": ListBucket limited by s3:prefix.
  describe('StringLike on s3:prefix', () => {
    const homeFolder: PolicyStatement[] = [
      {
        actions: ['s3:ListBucket'],
        resources: ['arn:aws:s3:::amzn-s3-demo-bucket'],
        conditions: [{ test: 'StringLike', variable: 's3:prefix', values: ['', 'home/', 'home/David/*'] }],
      },
    ];
    const list = (prefix: string | undefined) =>
      evaluate(homeFolder, {
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::amzn-s3-demo-bucket',
        context: { 's3:prefix': prefix },
      });

    it('allows the listed prefixes, any of the values matching', () => {
      expect(list('')).toBe('Allow');
      expect(list('home/')).toBe('Allow');
      expect(list('home/David/photos/')).toBe('Allow');
    });

    it('denies another prefix, and a request without the key (the condition is false)', () => {
      expect(list('home/Bob/')).toBe('ImplicitDeny');
      expect(list(undefined)).toBe('ImplicitDeny');
    });

    it('holds a negated operator true when the key is missing', () => {
      const notUnder: PolicyStatement[] = [
        {
          actions: ['s3:ListBucket'],
          resources: ['*'],
          conditions: [{ test: 'StringNotLike', variable: 's3:prefix', values: ['private/*'] }],
        },
      ];
      const request = (prefix?: string) => ({
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::b',
        context: { 's3:prefix': prefix },
      });
      expect(evaluate(notUnder, request())).toBe('Allow');
      expect(evaluate(notUnder, request('public/'))).toBe('Allow');
      expect(evaluate(notUnder, request('private/x'))).toBe('ImplicitDeny');
    });

    it('names condition keys case-insensitively, but compares values case-sensitively', () => {
      const request = { action: 's3:ListBucket', resource: 'arn:aws:s3:::amzn-s3-demo-bucket' };
      expect(evaluate(homeFolder, { ...request, context: { 'S3:Prefix': 'home/' } })).toBe('Allow');
      expect(evaluate(homeFolder, { ...request, context: { 's3:prefix': 'HOME/' } })).toBe('ImplicitDeny');
    });
  });

  // DynamoDB fine-grained access: ForAllValues on dynamodb:LeadingKeys, which every partition key of the
  // request must satisfy; and AWS's warning that the set operator holds for a request that names none.
  describe('ForAllValues:StringLike on dynamodb:LeadingKeys', () => {
    const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/GameScores';
    const ownItems: PolicyStatement[] = [
      {
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan'],
        resources: [table],
        conditions: [{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['PERSON#*'] }],
      },
    ];
    const request = (action: string, keys: string[] | undefined) => ({
      action,
      resource: table,
      context: { 'dynamodb:LeadingKeys': keys },
    });

    it('allows when every partition key matches, and denies when any does not', () => {
      expect(evaluate(ownItems, request('dynamodb:GetItem', ['PERSON#1']))).toBe('Allow');
      expect(evaluate(ownItems, request('dynamodb:BatchGetItem', ['PERSON#1', 'PERSON#2']))).toBe('Allow');
      expect(evaluate(ownItems, request('dynamodb:BatchGetItem', ['PERSON#1', 'ROLE']))).toBe('ImplicitDeny');
      expect(evaluate(ownItems, request('dynamodb:GetItem', ['ROLE']))).toBe('ImplicitDeny');
    });

    it('holds vacuously for a request without partition keys (why no Scan is granted under it)', () => {
      expect(evaluate(ownItems, request('dynamodb:Scan', undefined))).toBe('Allow');
      expect(evaluate(ownItems, request('dynamodb:Scan', []))).toBe('Allow');
    });

    it('holds ForAnyValue only when at least one value matches', () => {
      const anyKey: PolicyStatement[] = [
        {
          actions: ['dynamodb:BatchGetItem'],
          resources: [table],
          conditions: [{ test: 'ForAnyValue:StringEquals', variable: 'dynamodb:LeadingKeys', values: ['ROLE'] }],
        },
      ];
      expect(evaluate(anyKey, request('dynamodb:BatchGetItem', ['PERSON#1', 'ROLE']))).toBe('Allow');
      expect(evaluate(anyKey, request('dynamodb:BatchGetItem', ['PERSON#1']))).toBe('ImplicitDeny');
      expect(evaluate(anyKey, request('dynamodb:BatchGetItem', undefined))).toBe('ImplicitDeny');
    });
  });

  it('requires every condition of a statement (AND) and never holds an operator it does not know', () => {
    const both: PolicyStatement[] = [
      {
        actions: ['s3:ListBucket'],
        resources: ['*'],
        conditions: [
          { test: 'StringLike', variable: 's3:prefix', values: ['people/*'] },
          { test: 'StringEquals', variable: 's3:delimiter', values: ['/'] },
        ],
      },
    ];
    const request = (context: Record<string, string>) => ({ action: 's3:ListBucket', resource: '*', context });
    expect(evaluate(both, request({ 's3:prefix': 'people/x', 's3:delimiter': '/' }))).toBe('Allow');
    expect(evaluate(both, request({ 's3:prefix': 'people/x' }))).toBe('ImplicitDeny');
    const unknown: PolicyStatement[] = [
      {
        actions: ['s3:ListBucket'],
        resources: ['*'],
        conditions: [{ test: 'NumericLessThan', variable: 's3:max-keys', values: ['10'] }],
      },
    ];
    expect(evaluate(unknown, request({ 's3:max-keys': '5' }))).toBe('ImplicitDeny');
  });
});
