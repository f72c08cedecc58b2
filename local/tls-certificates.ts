import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  dir: string;
  /** PEM files: a throwaway CA and a server certificate it signed for 127.0.0.1 and localhost (SANs), valid one day. */
  caFile: string;
  certFile: string;
  keyFile: string;
  remove(): Promise<void>;
}

/** Creates a CA and a 127.0.0.1 / localhost server certificate with `openssl` in a fresh temp dir, for TLS redis-servers in tests. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-migrate-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=dcs-migrate-test-ca',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  // Clients check the IP they dialled (or the servername they asked for) against the SANs, not the CN.
  await writeFile(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** redis-server config for a TLS port next to the plain one (the plain port serves the launcher's readiness probe). */
export function tlsServerConfig(certificates: TestCertificates, tlsPort: number): Record<string, string> {
  return {
    'tls-port': String(tlsPort),
    'tls-cert-file': certificates.certFile,
    'tls-key-file': certificates.keyFile,
    'tls-ca-cert-file': certificates.caFile,
    'tls-auth-clients': 'no',
  };
}
