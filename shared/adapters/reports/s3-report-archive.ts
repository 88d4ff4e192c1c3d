import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ArchivedReportFile, ReportArchive, ReportArchiveReader } from '../../ports.ts';

/** SigV4 presigned URLs are valid for at most 7 days. */
export const maxPresignedLinkSeconds = 7 * 24 * 3600;

/** S3 answers 404 for a missing key when the caller may list the prefix (the link function may). */
function isMissing(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const name = (error as { name?: unknown } | undefined)?.name;
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * Finance reports in an S3 bucket. The report function writes them; the report link function
 * reads the page and hands out presigned GET URLs of the other files, valid for minutes: a URL
 * signed with a Lambda role's temporary credentials dies with them, so only short-lived ones are
 * issued (docs/metrics.md, "Archive links").
 */
export class S3ReportArchive implements ReportArchive, ReportArchiveReader {
  public constructor(
    private readonly client: S3Client,
    private readonly bucketName: string,
  ) {}

  public async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucketName, Key: key, Body: body, ContentType: contentType }),
    );
  }

  public async linkTo(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucketName, Key: key }), {
      expiresIn: Math.min(expiresInSeconds, maxPresignedLinkSeconds),
    });
  }

  public async get(key: string): Promise<ArchivedReportFile | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucketName, Key: key }));
      if (object.Body === undefined) return undefined;
      return {
        body: await object.Body.transformToByteArray(),
        contentType: object.ContentType ?? 'application/octet-stream',
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  public async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}
