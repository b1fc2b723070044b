#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HealthIngestStack } from '../lib/health-ingest-stack';

/**
 * The CDK app. The stack is environment-agnostic (no account or region here), so `cdk synth`
 * runs offline; `cdk deploy` targets the account and region of the caller's credentials.
 * Token issuer: `-c jwtIssuer=https://… -c jwtAudience=id1,id2`, or neither for a Cognito pool.
 */
const app = new App();

new HealthIngestStack(app, 'HealthIngest', {
  description: 'Apple Health ingest: HTTP API, ingest function and measurements table',
});

// cdk-nag's AwsSolutions rules run on every synth: an unacknowledged finding fails it. Each
// acknowledgement sits next to what it justifies, with its reason (see SECURITY.md).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
