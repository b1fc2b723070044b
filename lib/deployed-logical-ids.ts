import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resource that holds what a replacement would lose — the alarm topic's subscriptions and its
 * key, a dead-letter queue's messages, the policy on either (CloudFormation deletes a replaced
 * queue or topic policy after creating the new one, which strips the policy from the resource),
 * or a fixed physical name (the dashboard: the new one would be written, then deleted with the
 * old) — keeps the logical id it was first deployed under when its construct moves.
 */
export interface DeployedLogicalId {
  /** The construct whose CloudFormation resource keeps the id. */
  readonly resource: IConstruct;
  /** The logical id deployed stacks already hold it under. */
  readonly logicalId: string;
}

/** The CloudFormation resource a construct stands for: itself, or its default child. */
export function cfnResourceOf(construct: IConstruct): CfnResource {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource))
    throw new Error(`${construct.node.path} has no CloudFormation resource of its own`);
  return resource;
}

/** The child policy CDK adds to a queue or topic once something is granted on it. */
export function policyOf(queueOrTopic: IConstruct): IConstruct {
  const policy = queueOrTopic.node.tryFindChild('Policy');
  if (!policy) throw new Error(`${queueOrTopic.node.path} has no resource policy yet`);
  return policy;
}

export function keepDeployedLogicalIds(kept: readonly DeployedLogicalId[]): void {
  for (const { resource, logicalId } of kept) cfnResourceOf(resource).overrideLogicalId(logicalId);
}
