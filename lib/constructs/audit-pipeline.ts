import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { auditKeysTable } from '../../definitions/audit-keys-table';
import type { ServiceFunctionName } from '../../definitions/service-functions';
import { savedQueries } from '../audit-queries';
import type { Operations } from './operations';
import { StreamConsumer } from './stream-consumer';

export interface AuditPipelineProps {
  /** The measurements table; its stream feeds the audit function. */
  readonly table: ITable;
  /** Every function of the stack: the audit function, and the log groups the saved queries read. */
  readonly functions: Readonly<Record<ServiceFunctionName, LambdaFunction>>;
  readonly operations: Operations;
}

/** Iterator age above which the audit trail is too far behind the writes (ms). */
export const AUDIT_ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000;

/**
 * Everything operators need to audit overwrites:
 * - the audit function reading the table's stream (`definitions/audit-stream.ts`), with its
 *   on-failure queue and alarms;
 * - the audit-keys table, one key per audited user, under which the events name the user
 *   (`userRef`, docs/audit-trail.md);
 * - the saved Logs Insights queries of `lib/audit-queries.ts`;
 * - counts of the overwrite events and of unreadable records, and the graphs it offers the
 *   dashboard (`widgets`).
 */
export class AuditPipeline extends Construct {
  /** `userId` → the user's audit key; `npm run erase-user` deletes a user's key (crypto-shredding). */
  readonly keysTable: TableV2;
  readonly consumer: StreamConsumer;
  readonly widgets: {
    readonly overwrites: GraphWidget;
    readonly iteratorAge: GraphWidget;
    readonly deadLetters: GraphWidget;
  };

  constructor(scope: Construct, id: string, props: AuditPipelineProps) {
    super(scope, id);
    const { table, functions, operations } = props;
    const stackName = Stack.of(this).stackName;

    this.consumer = new StreamConsumer(this, 'StreamConsumer', {
      table,
      name: 'auditStream',
      fn: functions.auditStream,
      operations,
      alarms: {
        deadLetters:
          'A batch of stream records left the audit function unprocessed: their audit events are missing.',
        iteratorAgeMs: AUDIT_ITERATOR_AGE_ALARM_MS,
        iteratorAge: 'The audit function is more than 5 minutes behind the table writes.',
      },
    });

    this.keysTable = new TableV2(this, 'AuditKeysTable', {
      partitionKey: { name: auditKeysTable.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      // Off on purpose: a key erasure deletes must really be gone, and a point-in-time restore
      // (35 days) would bring it back, and with it the link from the trail's events to the person.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      // The keys are what lets an auditor find a user's events for as long as the trail keeps
      // them (years): neither a stack deletion nor a replacement may drop them.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryptionV2.dynamoOwnedKey(),
    });

    for (const query of savedQueries) {
      new QueryDefinition(this, query.id, {
        queryDefinitionName: `${stackName}/${query.name}`,
        queryString: new VerbatimQueryString(query.queryString),
        logGroups: [functions[query.logGroupOf].logGroup],
      });
    }

    const overwrites = operations.addCount(this, 'StatsOverwrites');
    const decreases = operations.addCount(this, 'StatsOverwriteDecreases');
    const auditFailures = operations.addCount(this, 'AuditRecordFailures');
    const hour = Duration.hours(1);
    this.widgets = {
      overwrites: new GraphWidget({
        title: 'Stats overwrites per hour',
        left: [
          overwrites({ period: hour, label: 'overwrites' }),
          decreases({ period: hour, label: 'of which decreases' }),
        ],
        width: 12,
      }),
      iteratorAge: new GraphWidget({
        title: 'Audit iterator age (ms)',
        left: [this.consumer.metrics.iteratorAge.with({ label: 'max iterator age' })],
        leftAnnotations: [{ value: AUDIT_ITERATOR_AGE_ALARM_MS, label: 'alarm' }],
        width: 12,
      }),
      deadLetters: new GraphWidget({
        title: 'Audit dead-letter queue depth',
        left: [this.consumer.metrics.deadLetters.with({ label: 'messages visible' })],
        right: [auditFailures({ period: Duration.minutes(1), label: 'unreadable records' })],
        width: 12,
      }),
    };

    const keysOutput = new CfnOutput(this, auditKeysTable.outputName, {
      value: this.keysTable.tableName,
      description: "The users' audit keys (npm run audit-ref reads them, npm run erase-user deletes one)",
    });
    keysOutput.overrideLogicalId(auditKeysTable.outputName);
  }
}

/**
 * A Logs Insights query as written. CDK's QueryString composes a fixed command order (fields,
 * parse, filter, stats, sort, limit, display) and has no `dedup`; the saved queries are
 * authored as text, so the console, docs/operations.md and the template show the same string.
 */
class VerbatimQueryString extends QueryString {
  constructor(private readonly text: string) {
    super();
  }

  override toString(): string {
    return this.text;
  }
}
