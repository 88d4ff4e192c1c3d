import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReportArchive } from '../../ports.ts';

/** SigV4 presigned URLs are valid for at most 7 days. */
export const maxPresignedLinkSeconds = 7 * 24 * 3600;

/**
 * Finance reports in an S3 bucket, shared through presigned GET links. A link signed with a
 * Lambda role's temporary credentials stops working when those credentials expire, whatever its
 * own expiry (docs/metrics.md, "Archive links").
 */
export class S3ReportArchive implements ReportArchive {
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
}
