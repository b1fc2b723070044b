import { localCredentials, localRegion } from '../../local/dynamodb-local';

// Every SDK client in an integration test talks to DynamoDB Local with its fixed credentials.
process.env.AWS_REGION = localRegion;
process.env.AWS_ACCESS_KEY_ID = localCredentials.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = localCredentials.secretAccessKey;
process.env.POWERTOOLS_LOG_LEVEL ??= 'DEBUG';
