import type { HealthIngestStack } from '../../lib/health-ingest-stack';
import { logicalId, synthesize, type Resource } from '../support/synthesized-stack';

/** Types whose replacement loses something: subscriptions, a key, messages, a policy, a fixed name. */
const losesOnReplacement = [
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::KMS::Key',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::CloudWatch::Dashboard',
];

describe.each([
  ['the Cognito mode', () => synthesize()],
  [
    'the healthlog mode',
    () => synthesize({ healthlogUrl: 'https://healthlog.example.com' }, 'HealthIngestHealthLog'),
  ],
])('resources moved between constructs keep their deployed logical ids, in %s', (_mode, synthesized) => {
  let stack: HealthIngestStack;
  let resources: Record<string, Resource>;
  beforeAll(() => ({ stack, resources } = synthesized()));

  it('renders every kept resource under the id deployed stacks hold it under', () => {
    expect(stack.deployedLogicalIds.length).toBeGreaterThan(0);
    for (const { resource, logicalId: deployed } of stack.deployedLogicalIds) {
      expect(logicalId(resource)).toBe(deployed);
      expect(resources[deployed]).toBeDefined();
    }
  });

  it('keeps the alarm topic, its key and policy, the dashboard and both consumers’ dead-letter queues', () => {
    const kept = new Set(stack.deployedLogicalIds.map(({ logicalId: id }) => id));
    const { operations, auditPipeline, aggregatePipeline } = stack;
    for (const construct of [
      operations.alarmTopic,
      operations.alarmTopicKey,
      operations.dashboard,
      auditPipeline.consumer.deadLetterQueue,
      aggregatePipeline.consumer.deadLetterQueue,
    ])
      expect(kept).toContain(logicalId(construct));
    // Each kept queue and topic keeps its policy with it.
    const keptTypes = [...kept].map((id) => resources[id]!.Type);
    expect(keptTypes.filter((type) => type === 'AWS::SQS::QueuePolicy')).toHaveLength(2);
    expect(keptTypes.filter((type) => type === 'AWS::SNS::TopicPolicy')).toHaveLength(1);
    expect(keptTypes.every((type) => losesOnReplacement.includes(type))).toBe(true);
  });
});
