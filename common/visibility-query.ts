/** Pieces of Temporal's visibility query language, for the queries the worker and the CLI build. */

/** A string literal: single-quoted, backslashes and quotes escaped. */
export function quoteVisibility(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
