import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/**
 * A Cognito user pool and the phone app's client: the token issuer when the deployment names
 * no other. `issuer` and `audience` are what the API's JWT authorizer checks.
 */
export class PhoneUserPool extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly issuer: string;
  readonly audience: readonly string[];

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      // Accounts are created by an operator (admin-create-user), not by whoever finds the API.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      signInCaseSensitive: false,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      // Threat protection (the PLUS plan) is not needed; ESSENTIALS is the plan of a new pool.
      featurePlan: FeaturePlan.ESSENTIALS,
      // Every stored row is keyed by the user's `sub`: losing the pool orphans all the data.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is not required: it would add an MFA challenge and enrolment to the sign-in of the existing ' +
          'HealthLog app, which this service must serve unchanged, and background syncs run on a ' +
          '30-day refresh token, so MFA would only guard the interactive sign-in. Instead: no self ' +
          'sign-up (operators create accounts), 12-character ' +
          'passwords with every character class, no user-existence errors, revocable refresh tokens. ' +
          'A deployment whose identity provider enforces MFA sets jwtIssuer/jwtAudience and gets no pool. ' +
          'Switch to Mfa.REQUIRED (TOTP) once the app supports it.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection (the Plus feature plan) is billed per monthly active user at several times ' +
          'the Essentials price. The pool has no self sign-up, so its exposure is sign-in of ' +
          'operator-created accounts; stage throttling and the per-user rate limit bound what a stolen ' +
          'token can do. Revisit when the pool grows or sign-in abuse shows up.',
      },
    );

    // A public client: an app on a phone cannot keep a secret. SRP never sends the password;
    // refresh tokens (CDK always allows that flow) keep background syncs signed in. No hosted UI,
    // so no OAuth flows (CDK's defaults would enable the implicit grant with a placeholder URL).
    this.client = this.userPool.addClient('PhoneClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });

    const stack = Stack.of(this);
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    // Cognito access tokens name the app client in `client_id` (they have no `aud`); API
    // Gateway's JWT authorizer matches the audience against either claim.
    this.audience = [this.client.userPoolClientId];
  }
}
