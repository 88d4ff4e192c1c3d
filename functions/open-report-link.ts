import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { httpErrorResponses } from '../shared/adapters/http/http-api.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { S3ReportArchive } from '../shared/adapters/reports/s3-report-archive.ts';
import { signingKeysFrom } from '../shared/adapters/secrets/signing-keys.ts';
import { loadReportLinkConfig } from '../shared/config.ts';
import {
  type OpenReportLinkDependencies,
  openReportLink,
  type ReportLinkAnswer,
} from '../shared/use-cases/open-report-link.ts';

/**
 * Nothing here may be cached by a proxy or leak the token onwards: the token is in the path, and
 * a Referer would carry it to the archive's host.
 */
const privateHeaders = {
  'cache-control': 'private, no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * The archived page is static HTML with inline styles and relative images: nothing else may run
 * or load. Images come from this route, which redirects to the archive (`https:` on AWS, this
 * origin locally).
 */
const pageSecurityPolicy =
  "default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Said to whoever opens a link that does not work; never which report it named. */
const refusals = {
  invalid: { statusCode: 403, title: 'This link is not valid', text: 'This report link is not valid.' },
  gone: {
    statusCode: 410,
    title: 'This link is no longer valid',
    text: 'This report link has expired, or the report is no longer archived.',
  },
  'no-such-file': { statusCode: 404, title: 'Not found', text: 'This report has no such file.' },
} as const;

function refusalPage(kind: keyof typeof refusals): APIGatewayProxyStructuredResultV2 {
  const { statusCode, title, text } = refusals[kind];
  return {
    statusCode,
    headers: {
      ...privateHeaders,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text} Open the link in the latest report email, or ask for the report to be sent again.</p></body></html>`,
  };
}

function response(answer: ReportLinkAnswer): APIGatewayProxyStructuredResultV2 {
  switch (answer.kind) {
    case 'to-page':
    case 'file':
      return { statusCode: 302, headers: { ...privateHeaders, location: answer.location } };
    case 'page':
      return {
        statusCode: 200,
        headers: {
          ...privateHeaders,
          'content-type': answer.file.contentType,
          'content-security-policy': pageSecurityPolicy,
        },
        body: new TextDecoder().decode(answer.file.body),
      };
    default:
      return refusalPage(answer.kind);
  }
}

/**
 * `GET /reports/{token}` and `GET /reports/{token}/{file}`: the link a finance report email
 * carries (docs/metrics.md, "Archive links"). The token is HMAC-signed and expiring; the page is
 * served from the archive, its charts and CSV files through fresh presigned URLs valid minutes.
 */
export function createOpenReportLinkHandler(deps: OpenReportLinkDependencies) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponses())
    .handler(async (event) => {
      const token = event.pathParameters?.token ?? '';
      const file = event.pathParameters?.file;
      const answer = await openReportLink({ token, ...(file === undefined ? {} : { file }) }, deps);
      // Who read which report, for the audit; the token itself is never logged.
      if ('reportId' in answer) logger.info('report link opened', { reportId: answer.reportId, file });
      else logger.warn('report link refused', { outcome: answer.kind });
      return response(answer);
    });
}

/** Presigned archive URLs handed out for charts and CSV files live this long. */
const fileLinkTtlSeconds = 300;

export const handler = lazyHandler(() => {
  const config = loadReportLinkConfig();
  return createOpenReportLinkHandler({
    keys: signingKeysFrom({
      name: 'report link signing key',
      secretArn: config.REPORT_LINK_SIGNING_KEY_SECRET_ARN,
      value: config.REPORT_LINK_SIGNING_KEY,
    }),
    archive: new S3ReportArchive(new S3Client({}), config.REPORT_BUCKET_NAME),
    clock: systemClock,
    fileLinkTtlSeconds,
  });
});
