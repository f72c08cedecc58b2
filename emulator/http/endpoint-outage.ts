/**
 * The DCS endpoint down, as a client sees an outage: no answer at all, for every operation (the admin API and IAM
 * too, they share the listener).
 *
 * - `refuse`: the listener is closed, so connecting fails with ECONNREFUSED; `up()` listens again on the same port.
 *   Nothing reaches the emulator, so nothing is counted.
 * - `reset`: the listener stays, and every connection is reset as soon as it is accepted (a load balancer with no
 *   healthy backend). The client sees ECONNRESET before any answer, which it classifies like a refusal
 *   (`DcsNetworkError`); each attempt is counted, so a scenario can show how hard clients knock on a dead endpoint.
 *
 * Either way the open keep-alive connections are closed when the endpoint goes down.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export type OutageMode = 'refuse' | 'reset';

export class EndpointOutage {
  #mode: OutageMode | undefined;
  #attempts: number[] = [];

  constructor(
    private readonly server: Server,
    private readonly host: string,
    private readonly port: number,
  ) {
    // Before the HTTP layer's own listener: the socket is gone before a byte of the request is read.
    server.prependListener('connection', (socket: Socket) => {
      if (this.#mode !== 'reset') return;
      this.#attempts.push(Date.now());
      socket.resetAndDestroy();
    });
  }

  get mode(): OutageMode | undefined {
    return this.#mode;
  }

  /** Connections reset while down in `reset` mode (epoch ms of each). */
  attempts(): number[] {
    return [...this.#attempts];
  }

  async down(mode: OutageMode): Promise<void> {
    if (this.#mode !== undefined) await this.up();
    this.#mode = mode;
    const closed = mode === 'refuse' ? new Promise<void>((resolve) => this.server.close(() => resolve())) : undefined;
    this.server.closeAllConnections();
    await closed;
  }

  async up(): Promise<void> {
    const mode = this.#mode;
    this.#mode = undefined;
    if (mode !== 'refuse') return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }
}
