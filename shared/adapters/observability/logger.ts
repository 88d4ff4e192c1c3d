import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per container. Log ids and outcomes, never personal data (names,
 * addresses, message bodies) and never raw events.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'collections' });
