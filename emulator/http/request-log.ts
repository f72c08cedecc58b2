import type { EmulatedOperation } from '../emulated-operations.js';

/** One request as the emulator saw it. Holds no secrets: no headers, no bodies, no query strings. */
export interface RequestLogEntry {
  time: string;
  requestId: string;
  method: string;
  /** The path without its query string. */
  path: string;
  /** Undefined for admin calls and unknown routes. */
  operation?: EmulatedOperation | undefined;
  /** HTTP status sent, or 0 when the connection was dropped on purpose. */
  status: number;
  durationMs: number;
  /** Ids of the fault rules that fired. */
  faults?: string[] | undefined;
  /** Error code sent, when the answer was an error. */
  errorCode?: string | undefined;
}

/** A bounded in-memory log of requests (`emu.requests()`, `GET /_emulator/requests`). */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(private readonly capacity = 10_000) {}

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
