import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeAddress, splitAddress } from './probe-address.js';

describe('Temporal address probe', () => {
  it('splits host:port, [v6]:port and a bare host', () => {
    expect(splitAddress('localhost:7233')).toEqual({ host: 'localhost', port: 7233 });
    expect(splitAddress('[::1]:7300')).toEqual({ host: '::1', port: 7300 });
    expect(splitAddress('temporal.example')).toEqual({ host: 'temporal.example', port: 7233 });
  });

  it('says at once that a port is refused, and opens to a listening one', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await probeAddress(`127.0.0.1:${port}`)).toEqual({ ok: true });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // The port was just freed, so nothing listens there now.
    expect(await probeAddress(`127.0.0.1:${port}`)).toEqual({
      ok: false,
      reason: 'connection refused (nothing listens there)',
    });
    expect(await probeAddress('127.0.0.1:99999')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no valid port'),
    });
  });
});
