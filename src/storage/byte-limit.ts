import { Transform, type TransformCallback } from 'node:stream';
import { FileTooLargeError } from './file-storage.js';

/** Counts the bytes going through and fails as soon as they exceed `maxBytes`. */
export class ByteLimit extends Transform {
  bytes = 0;
  constructor(readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) done(new FileTooLargeError(this.maxBytes));
    else done(null, chunk);
  }
}
