import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ByteLimit } from './byte-limit.js';
import { StoredFileMissingError, type FileStorage } from './file-storage.js';

export interface S3Location {
  bucket: string;
  /** Prepended to every key ('' or ending in `/`). */
  prefix: string;
  /** An S3-compatible server (MinIO, Ceph, R2…); unset: AWS itself. */
  endpoint?: string;
  /** Bucket in the path rather than the host name, as MinIO-like servers want. */
  forcePathStyle: boolean;
}

/** 5 MiB is S3's smallest part; two in flight keep an upload's memory near 10 MiB. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * File bytes in an S3-compatible bucket (SWITCHBOARD_FILE_STORE=s3://bucket/prefix). Region and
 * credentials come from the AWS SDK's own chain (AWS_REGION, AWS_ACCESS_KEY_ID…, profiles, roles);
 * `client` overrides them (tests). Uploads go through lib-storage's Upload: a multipart upload streamed
 * part by part (one PutObject for a small file), aborted on a failure so nothing is left behind.
 * Chosen over hand-rolled multipart calls: the SDK's Upload already handles part sizing, retries and aborts.
 */
export function createS3FileStorage(loc: S3Location, client: Partial<S3ClientConfig> = {}): FileStorage {
  const s3 = new S3Client({
    ...(loc.endpoint ? { endpoint: loc.endpoint } : {}),
    forcePathStyle: loc.forcePathStyle,
    ...client,
  });
  const Key = (key: string) => `${loc.prefix}${key}`;

  return {
    async put(key, source, { maxBytes }) {
      const limit = new ByteLimit(maxBytes);
      source.on('error', (err) => limit.destroy(err));
      source.pipe(limit);
      const upload = new Upload({
        client: s3,
        params: { Bucket: loc.bucket, Key: Key(key), Body: limit, ContentType: 'application/octet-stream' },
        partSize: PART_BYTES,
        queueSize: 2,
        leavePartsOnError: false,
      });
      const failed = new Promise<never>((_, reject) => limit.once('error', reject));
      try {
        await Promise.race([upload.done(), failed]);
      } catch (err) {
        source.destroy();
        await upload.abort().catch(() => {});
        throw err;
      }
      return { bytes: limit.bytes };
    },

    async get(key) {
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: Key(key) }));
        // In Node the SDK's body is the response stream itself.
        if (!(Body instanceof Readable)) throw new Error(`S3 GetObject of '${key}' returned no stream.`);
        return Body;
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') throw new StoredFileMissingError(key);
        throw err;
      }
    },

    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: Key(key) }));
    },
  };
}
