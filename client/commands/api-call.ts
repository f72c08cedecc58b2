/**
 * What `dcs-migrate api <Operation>` does once its flags are parsed: reads and validates the request, calls the
 * DCS API through the typed client and prints the answer, or an error with its exit code. Loaded only when that
 * command runs (see `api.ts`).
 */
import { readFile } from 'node:fs/promises';
import { DcsClient } from '../../dcs/client.js';
import { redactSecretFields } from '../../dcs/errors/index.js';
import { findOperation } from '../../dcs/operations.js';
import { dcsConfigFrom, toCliError } from '../dcs-cli.js';
import { CliError, EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface ApiFlags {
  body?: string;
  file?: string;
  taskId?: string;
  jobId?: string;
  instanceId?: string;
  offset?: string;
  limit?: string;
  name?: string;
  logLevel?: string;
  endpoint?: string;
  region?: string;
  projectId?: string;
}

export async function runApi(operation: string, flags: ApiFlags): Promise<void> {
  const spec = findOperation(operation);
  if (!spec) {
    throw new CliError(`unknown operation "${operation}"; run \`dcs-migrate api --help\` for the list`, EXIT.USAGE);
  }
  const body = await readBody(flags);
  const client = new DcsClient({
    config: dcsConfigFrom(flags),
    userAgent: 'dcs-migrate-cli',
  });
  try {
    const result = await client.call(spec.name, {
      path: { task_id: flags.taskId, job_id: flags.jobId, instance_id: flags.instanceId },
      query: { offset: flags.offset, limit: flags.limit, name: flags.name, log_level: flags.logLevel },
      body,
    });
    if (result === undefined) process.stderr.write(`${spec.name}: done (no content)\n`);
    else printJson(redactSecretFields(result));
  } catch (error) {
    throw toCliError(error);
  } finally {
    await client.close();
  }
}

async function readBody(flags: ApiFlags): Promise<unknown> {
  if (flags.body !== undefined && flags.file !== undefined)
    throw new CliError('give the body with --body or --file, not both', EXIT.USAGE);
  let text: string;
  let source: string;
  if (flags.body !== undefined) {
    [text, source] = [flags.body, '--body'];
  } else if (flags.file !== undefined) {
    source = `--file ${flags.file}`;
    try {
      text = flags.file === '-' ? await readStdin() : await readFile(flags.file, 'utf8');
    } catch (error) {
      throw new CliError(`${source}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.USAGE);
    }
  } else {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the input in its message, and the input may hold passwords: report the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new CliError(`${source}: not valid JSON${position ? ` (at position ${position})` : ''}`, EXIT.USAGE);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
