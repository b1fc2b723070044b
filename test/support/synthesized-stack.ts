import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { defaultText, type Settings } from '../../definitions/function-settings';
import { HealthIngestStack } from '../../lib/health-ingest-stack';

/** A resource of the synthesized template, as the infra tests read it. */
export type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

/** One statement of an IAM policy document. */
export type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, any>;
};

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: HealthIngestStack;
  readonly template: Template;
  readonly resources: Record<string, Resource>;
}

/**
 * The stack synthesized with `context` on top of what the tests always set: no bundling of the
 * functions (esbuild is what `npm run synth` and the shipped-artifact test check).
 */
export function synthesize(
  context: Record<string, unknown> = {},
  stackId = 'HealthIngestTest',
): SynthesizedStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new HealthIngestStack(app, stackId);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Record<string, Resource> };
}

/**
 * The template's logical id of a construct (its default child, e.g. a role's AWS::IAM::Role), as
 * rendered: an id the stack overrides (lib/deployed-logical-ids.ts) included.
 */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
}

/**
 * The variables of a function's settings that no deployment value fills, at their defaults: what
 * the stack writes for them (definitions/function-settings.ts).
 */
export function tuningDefaults(definition: {
  readonly settings: Settings;
}): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(definition.settings)
      .filter(([, setting]) => setting.from === undefined)
      .map(([variable, setting]) => [variable, defaultText(setting)]),
  );
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every inline IAM policy (AWS::IAM::Policy) attached to the role. */
export function statementsOf(template: Template, role: IConstruct): Statement[] {
  const roleRef = JSON.stringify({ Ref: logicalId(role) });
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === roleRef))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/**
 * The inline policies every function role has and nothing more: one, writing to the function's
 * own log group only (no managed policy, no `logs:CreateLogGroup`).
 */
export function ownLogGroupPolicyOnly(logGroup: IConstruct) {
  return [
    {
      PolicyName: 'OwnLogGroup',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logicalId(logGroup), 'Arn'] },
          },
        ],
      },
    },
  ];
}
