import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../local/wait.js';
import { startEmulator, type Emulator } from '../index.js';
import { callDcs } from '../testing/signed-http.js';
import { InstanceRegistry } from './instance-registry.js';

// The DCS instance types as real redis-servers: a Redis Cluster with slots on its masters, a master/standby whose
// standby follows, and ShowInstance describing each as DCS does.

const PASSWORD = 'topology-secret';

describe('emulator instance topologies', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      instances: [
        { id: 'one', password: PASSWORD },
        { id: 'pair', password: PASSWORD, topology: { mode: 'ha', standbys: 1 } },
        { id: 'shards', password: PASSWORD, topology: { mode: 'cluster', masters: 3, replicasPerMaster: 1 } },
      ],
      timings: { creatingMs: 50, terminatingMs: 50 },
    });
  }, 60_000);
  afterAll(() => emu?.stop());

  it('starts a Redis Cluster with the slots on 3 masters, one replica each, and no service address', async () => {
    const instance = emu.instance('shards');
    expect(instance.service).toBeUndefined();
    const shards = instance.topology!.shards;
    expect(shards).toHaveLength(3);
    expect(shards.map((shard) => shard.replicas.length)).toEqual([1, 1, 1]);
    expect(instance.endpoint).toEqual(shards[0]!.master);
    const node = new Redis({ ...instance.endpoint, lazyConnect: true });
    try {
      await node.connect();
      const info = (await node.call('CLUSTER', 'INFO')) as string;
      expect(info).toMatch(/cluster_state:ok/);
      expect(info).toMatch(/cluster_slots_assigned:16384/);
      expect(info).toMatch(/cluster_size:3/);
    } finally {
      node.disconnect();
    }
    // A cluster client finds every node from the instance's one endpoint.
    const cluster = new Cluster([{ host: instance.endpoint.host, port: instance.endpoint.port }], {
      redisOptions: { password: PASSWORD },
    });
    try {
      for (const key of ['a', 'b', 'c', 'd', 'e']) await cluster.set(key, key);
      expect(await cluster.mget('{x}1', '{x}2')).toEqual([null, null]);
      expect(await cluster.get('c')).toBe('c');
    } finally {
      cluster.disconnect();
    }
  });

  it('ShowInstance reports a cluster with its shards, replicas, IP list and back ends, memory summed', async () => {
    const shown = await callDcs(emu, 'GET', '/instances/shards');
    expect(shown.status).toBe(200);
    const masters = emu.instance('shards').topology!.shards.map((shard) => shard.master);
    expect(shown.body).toMatchObject({
      instance_id: 'shards',
      cache_mode: 'cluster',
      sharding_count: 3,
      replica_count: 2,
      db_number: 1,
      ip: masters.map((master) => master.host).join(','),
      port: masters[0]!.port,
      backend_addrs: masters.map((master) => `${master.host}:${master.port}`).join(','),
      engine_version: expect.stringMatching(/^\d+\.\d+$/),
      capacity: 1,
      max_memory: 1024,
    });
    // Summed over 3 masters: more than one empty redis-server's ~1 MB.
    expect(shown.body.used_memory).toBeGreaterThanOrEqual(3);
  });

  it('starts master/standby: the standby follows the master, ShowInstance says ha with 2 replicas', async () => {
    const instance = emu.instance('pair');
    expect(instance.service).toBeDefined();
    const [shard] = instance.topology!.shards;
    expect(instance.endpoint).toEqual(shard!.master);
    const master = new Redis({ ...instance.service!, password: PASSWORD, lazyConnect: true });
    const standby = new Redis({ ...shard!.replicas[0]!, lazyConnect: true });
    try {
      await Promise.all([master.connect(), standby.connect()]);
      await master.set('followed', 'yes');
      await waitFor('the standby to have the write', async () => (await standby.get('followed')) === 'yes', 10_000, 50);
      expect(await standby.info('replication')).toMatch(/role:slave/);
      await expect(standby.set('x', '1')).rejects.toThrow(/READONLY/);
    } finally {
      master.disconnect();
      standby.disconnect();
    }
    const shown = await callDcs(emu, 'GET', '/instances/pair');
    // The address clients use (the service address), not the master's own.
    const { host, port } = instance.service!;
    expect(shown.body).toMatchObject({ cache_mode: 'ha', sharding_count: 1, replica_count: 2, ip: host, port });
    expect(shown.body.backend_addrs).toBeUndefined();
    expect(await callDcs(emu, 'GET', '/instances/one')).toMatchObject({
      body: { cache_mode: 'single', sharding_count: 1, replica_count: 1 },
    });
  });

  it('attributes set over the admin route win over the topology and a reset restores the derived cache mode', async () => {
    emu.setInstanceAttributes('shards', { cacheMode: 'proxy' });
    expect((await callDcs(emu, 'GET', '/instances/shards')).body.cache_mode).toBe('proxy');
    await emu.reset();
    expect((await callDcs(emu, 'GET', '/instances/shards')).body.cache_mode).toBe('cluster');
  });

  it('the admin API starts an instance of a given topology and refuses a bad one naming the field', async () => {
    const post = (body: unknown) =>
      fetch(`${emu.url}/_emulator/instances`, { method: 'POST', body: JSON.stringify(body) });
    const refused = await post({ id: 'bad', topology: 'cluster:2' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('topology');
    const created = await post({ id: 'late', topology: 'ha' });
    expect(created.status).toBe(201);
    expect(emu.instance('late').topology?.shards[0]?.replicas).toHaveLength(1);
    const listed = (await (await fetch(`${emu.url}/_emulator/instances`)).json()) as {
      instances: Array<{ id: string; topology?: string }>;
    };
    expect(listed.instances.find((entry) => entry.id === 'shards')?.topology).toBe('cluster:3x1');
  });
});

describe('InstanceRegistry master/standby', () => {
  it('turns a master read-only for an IP switch although its standby is attached, and writable again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dcs-topology-'));
    const registry = new InstanceRegistry(dir);
    try {
      const instance = await registry.add({ id: 'pair', topology: { mode: 'ha', standbys: 1 } });
      expect(registry.attributesOf('pair')?.cacheMode).toBe('ha');
      const master = new Redis({ ...instance.endpoint, lazyConnect: true });
      try {
        await master.connect();
        await registry.services.setReadOnly('pair', true);
        await expect(master.set('k', 'v')).rejects.toThrow(/NOREPLICAS/);
        expect(await master.get('k')).toBeNull();
        await registry.services.setReadOnly('pair', false);
        expect(await master.set('k', 'v')).toBe('OK');
      } finally {
        master.disconnect();
      }
    } finally {
      await registry.stopAll();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
