import { RemovalPolicy, Stack } from 'aws-cdk-lib';
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
