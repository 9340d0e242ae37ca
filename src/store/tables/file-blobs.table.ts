import type { Selectable } from 'kysely';

/** A stored file's bytes in chunks (`n` from 0), when SWITCHBOARD_FILE_STORE is `database`. */
export interface FileBlobsTable {
  key: string;
  n: number;
  data: Buffer;
}

/** A file a thread's code_interpreter session wrote to /mnt/data (`path`, relative), stored as the File `file_id`. */
export interface CodeInterpreterFilesTable {
  tenant_id: string;
  thread_id: string;
  path: string;
  file_id: string;
  created_at: number;
}
export type CodeInterpreterFileRow = Selectable<CodeInterpreterFilesTable>;
