import { open } from 'node:fs/promises';
import path from 'node:path';
import { DataPlaneError } from './failures.js';

/**
 * - `rdb`: an RDB snapshot (`REDIS0011...`, or `VALKEY...`).
 * - `aof`: a single-file AOF: RESP commands (`*2\r\n...`), possibly after an RDB preamble (the file then starts
 *   with `REDIS` too, and is told apart from a plain RDB by what follows the RDB: see `detectBackupFormat`).
 * - `aof-manifest`: the manifest of a Redis 7 multi-part AOF (`file appendonly.aof.1.base.rdb seq 1 type b`),
 *   whose parts are read from the manifest's directory.
 */
export type BackupFormat = 'rdb' | 'aof' | 'aof-manifest';

/** The RDB end-of-file opcode; a plain RDB ends with it followed by the 8-byte CRC64. */
const rdbEofOpcode = 0xff;

/** Tells a backup file's format from its bytes (not its name); throws a clear error for anything else. */
export async function detectBackupFormat(file: string): Promise<BackupFormat> {
  const name = path.basename(file);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new DataPlaneError(
      `backup file ${name} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      false,
    );
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new DataPlaneError(`backup file ${name} is empty`, false);
    const head = Buffer.alloc(Math.min(16, size));
    await handle.read(head, 0, head.length, 0);
    const text = head.toString('latin1');
    if (text.startsWith('REDIS') || text.startsWith('VALKEY')) {
      // An RDB ends with EOF opcode + CRC64. An AOF with an RDB preamble carries RESP commands after that.
      const tail = Buffer.alloc(1);
      if (size >= 9) await handle.read(tail, 0, 1, size - 9);
      return tail[0] === rdbEofOpcode ? 'rdb' : 'aof';
    }
    if (text.startsWith('*')) return 'aof';
    if (text.startsWith('file ')) return 'aof-manifest';
    throw new DataPlaneError(
      `backup file ${name} is neither an RDB nor an AOF file (it starts with ${JSON.stringify(text.slice(0, 8))})`,
      false,
    );
  } finally {
    await handle.close();
  }
}
