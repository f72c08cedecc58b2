import net from 'node:net';

/** Where a forwarder sends its connections: a redis-server's own address. */
export interface ForwarderBackend {
  host: string;
  port: number;
}

/**
 * The service address of one emulated DCS instance: a TCP listener that pipes every connection to a redis-server.
 * DCS clients connect to the instance's address, not to a server, so an IP switch moves what an address reaches:
 * `setBackend()` points new connections elsewhere and `cutConnections()` drops the open ones, as DCS disconnects
 * clients during a switch. Bytes are piped unparsed: the forwarder knows nothing of RESP.
 */
export class ServiceForwarder {
  private readonly clients = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly host: string,
    readonly port: number,
    private backend: ForwarderBackend,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on `host:port` (port 0: a free one) and forwards to `backend`. Rejects with the bind error (e.g. EADDRINUSE). */
  static async listen(host: string, port: number, backend: ForwarderBackend): Promise<ServiceForwarder> {
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as net.AddressInfo;
    return new ServiceForwarder(server, host, address.port, backend);
  }

  /** The redis-server new connections reach. */
  target(): ForwarderBackend {
    return { ...this.backend };
  }

  /** Points new connections at `backend`; open ones keep their server until cut. */
  setBackend(backend: ForwarderBackend): void {
    this.backend = { ...backend };
  }

  /** Drops every open connection (the client sees the connection reset and reconnects). */
  cutConnections(): number {
    const count = this.clients.size;
    for (const client of this.clients) client.destroy();
    this.clients.clear();
    return count;
  }

  /** Open client connections. */
  connections(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    this.cutConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.clients.add(client);
    const upstream = net.connect({ host: this.backend.host, port: this.backend.port, noDelay: true });
    const end = (): void => {
      this.clients.delete(client);
      client.destroy();
      upstream.destroy();
    };
    // Either side closing or failing closes both: a client must never stay connected to nothing.
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
