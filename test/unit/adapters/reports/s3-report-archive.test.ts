import { type GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import { S3ReportArchive } from '../../../../shared/adapters/reports/s3-report-archive.ts';

function clientAnswering(answer: (command: unknown) => unknown) {
  const client = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-example' },
  });
  vi.spyOn(client, 'send').mockImplementation((async (command: unknown) => answer(command)) as never);
  return client;
}

const notFound = (name: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 404 }, message: name });

describe('S3ReportArchive as the report link reads it', () => {
  it('reads a page with its content type and says missing keys are missing', async () => {
    const archive = new S3ReportArchive(
      clientAnswering((command) => {
        const key = (command as GetObjectCommand | HeadObjectCommand).input.Key;
        if (key !== 'reports/monthly-2026-03/index.html')
          throw notFound(command instanceof HeadObjectCommand ? 'NotFound' : 'NoSuchKey');
        if (command instanceof HeadObjectCommand) return {};
        return {
          ContentType: 'text/html; charset=utf-8',
          Body: { transformToByteArray: async () => new TextEncoder().encode('<html>') },
        };
      }),
      'reports-bucket',
    );
    expect(await archive.get('reports/monthly-2026-03/index.html')).toEqual({
      body: new TextEncoder().encode('<html>'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(await archive.has('reports/monthly-2026-03/index.html')).toBe(true);
    expect(await archive.get('reports/monthly-2026-01/index.html')).toBeUndefined();
    expect(await archive.has('reports/monthly-2026-01/index.html')).toBe(false);
  });

  it('lets other failures through (a denied read is not a missing report)', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    const archive = new S3ReportArchive(
      clientAnswering(() => {
        throw denied;
      }),
      'reports-bucket',
    );
    await expect(archive.has('reports/x/index.html')).rejects.toBe(denied);
    await expect(archive.get('reports/x/index.html')).rejects.toBe(denied);
  });

  it('presigns short-lived GET URLs of one key', async () => {
    const archive = new S3ReportArchive(
      clientAnswering(() => ({})),
      'reports-bucket',
    );
    const url = new URL(await archive.linkTo('reports/monthly-2026-03/cohorts-usd.png', 300));
    expect(url.hostname).toBe('reports-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/reports/monthly-2026-03/cohorts-usd.png');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
  });
});
