import { randomUUID } from 'node:crypto';
import { formatAddress } from '../../redis/address.js';
import { defaultBigKeyLimits, type BigKeyLimits } from './big-key-copy.js';
import { ChangeFeed, keyspaceWideCommands, type KeyspaceWideCommands } from './change-feed.js';
import { awaitHealthyCluster, knownNodes } from './cluster-recovery.js';
import { RedisConnections } from './connections.js';
import type { MigrationEndpoint, OnlineMigrationOptions, ShardStats } from './contract.js';
import { ClusterTopologyChange, DataPlaneError } from './failures.js';
import { dropConnections } from './faults.js';
import { copyKeyspace, deleteKeysMissingFromSource } from './full-copy.js';
import { CarriedKeys } from './carried-keys.js';
import { KeyCopier } from './key-copy.js';
import { checkPermissions } from './permissions.js';
import { RunBase } from './run-base.js';
import { sleep } from './run-lifecycle.js';
import { bandwidthLimiter } from './token-bucket.js';

/** How a run with resume mode `auto` retries after losing a connection. */
export interface ResumePolicy {
  /** Consecutive reconnect attempts before the run fails. */
  attempts: number;
  /** Delay before the first attempt; doubles per attempt up to 5 s. */
  delayMs: number;
}

export const defaultResumePolicy: ResumePolicy = { attempts: 8, delayMs: 250 };

/** Keys re-copied per round of the incremental phase. */
const incrementalBatch = 1_000;
/** How often the incremental phase looks for FLUSHDB/FLUSHALL/SWAPDB on the source (they emit no key events). */
const keyspaceCheckIntervalMs = 250;
/** How often an incremental run asks a cluster source whether its slot map changed (a failover keeps old connections up). */
const topologyCheckIntervalMs = 250;
/** Failovers survived in a row (without reaching the incremental phase in between) before the run gives up. */
const maxFailovers = 8;
/** How long a run waits for a cluster to be whole again after losing a node. */
const failoverWaitMs = 30_000;

/**
 * An online migration between two live Redis servers. Full: copy the keyspace once. Incremental: subscribe to
 * the source's key events first, copy the keyspace, then re-copy every changed key until stopped; on stop, wait
 * for the events of everything the source ran before the stop (the feed's barrier) and apply them. Writes and
 * deletes reach the target as events; a key the source never had stays on the target, as with DCS's sync. A
 * resync after a gap without events deletes only keys the run carried (`CarriedKeys`).
 *
 * Every copy (scan, follow-up, resync) runs in this one sequential loop: a key is never written by two copies
 * at once, so a stale read can never overwrite a newer one on the target.
 */
export class OnlineMigrationRun extends RunBase {
  private source: RedisConnections;
  private target: RedisConnections;
  private feed: ChangeFeed | undefined;
  private feedLost: Error | undefined;
  private fullSyncDone = false;
  private permissionsChecked = false;
  /** Keys this run wrote to the target and did not delete since: what a resync may delete (incremental only). */
  private readonly carried: CarriedKeys | undefined;
  /** Keys copied per master of a cluster source, over every attempt. */
  private readonly shardCounts = new Map<string, number>();
  /** Nodes of each cluster side seen so far, to find the cluster again when the given node is the one lost. */
  private readonly clusterNodes: Record<
    'source' | 'target',
    { nodes: Array<{ host: string; port: number }>; signature: string } | undefined
  > = {
    source: undefined,
    target: undefined,
  };
  /** Where the run connects now: the given endpoints, or other nodes of their clusters after a failover. */
  private sourceEndpoint: MigrationEndpoint;
  private targetEndpoint: MigrationEndpoint;
  private readonly connectionName = `dcs-migrate-data-plane-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly options: OnlineMigrationOptions,
    private readonly resume: ResumePolicy = defaultResumePolicy,
    private readonly bigKeys: BigKeyLimits = defaultBigKeyLimits,
  ) {
    super(options.faults, () => ({ source: this.source, target: this.target }));
    this.sourceEndpoint = options.source;
    this.targetEndpoint = options.target;
    this.carried = options.method === 'incremental' ? new CarriedKeys() : undefined;
    // A cluster given as several addresses: the others are known nodes from the start, so a first address that does
    // not answer is recovered from like a lost node (cluster-recovery.ts), not failed on.
    for (const side of ['source', 'target'] as const) {
      const seeds = options[side].seeds ?? [];
      if (seeds.length > 0)
        this.clusterNodes[side] = { nodes: seeds.map(({ host, port }) => ({ host, port })), signature: '' };
    }
    this.source = new RedisConnections('source', options.source, this.connectionName);
    this.target = new RedisConnections('target', options.target, this.connectionName);
    if (options.resumeSynced && options.method === 'incremental') {
      // The same path as a resume after a lost connection: syncOnce sees a done full sync and resyncs.
      this.fullSyncDone = true;
      this.progress = 100;
      this.lifecycle.enter('incremental');
    }
    this.begin();
  }

  protected override shardStats(): ShardStats[] | undefined {
    if (this.shardCounts.size === 0) return undefined;
    return [...this.shardCounts].map(([shard, keysCopied]) => ({ shard, keysCopied }));
  }

  protected pendingChanges(): number {
    return this.feed?.size ?? 0;
  }

  protected async run(): Promise<void> {
    let attempt = 0;
    let failovers = 0;
    for (;;) {
      try {
        await this.syncOnce(() => {
          attempt = 0;
          failovers = 0;
        });
        break;
      } catch (error) {
        const failure = error instanceof DataPlaneError ? error : new DataPlaneError(String(error), false);
        await this.rememberClusterNodes();
        await this.closeConnections();
        // A stop during an outage ends the run instead of waiting for the source to come back (nothing applied then).
        if (this.lifecycle.stopRequested && failure.transient) {
          await this.finish('stopped');
          return;
        }
        // A cluster that lost a node but is whole again (a replica took over) is survived in either resume mode.
        if (failure.transient && failovers < maxFailovers && (await this.recoverClusters(failure))) {
          failovers++;
          this.source = new RedisConnections('source', this.sourceEndpoint, this.connectionName);
          this.target = new RedisConnections('target', this.targetEndpoint, this.connectionName);
          continue;
        }
        // A stop while waiting for a broken cluster to heal.
        if (this.lifecycle.stopRequested && failure.transient) {
          await this.finish('stopped');
          return;
        }
        const mayResume = this.options.resumeMode === 'auto' && failure.transient && attempt < this.resume.attempts;
        if (!mayResume) {
          const gaveUp =
            this.options.resumeMode === 'auto' && failure.transient
              ? ` (gave up after ${attempt} reconnect attempts)`
              : '';
          await this.finish('failed', failure.message + gaveUp, failure.transient);
          return;
        }
        await sleep(Math.min(5_000, this.resume.delayMs * 2 ** attempt));
        attempt++;
        if (this.lifecycle.stopRequested) {
          await this.finish('stopped');
          return;
        }
        this.source = new RedisConnections('source', this.sourceEndpoint, this.connectionName);
        this.target = new RedisConnections('target', this.targetEndpoint, this.connectionName);
      }
    }
  }

  private async rememberClusterNodes(): Promise<void> {
    for (const side of ['source', 'target'] as const) {
      const known = await knownNodes(side === 'source' ? this.source : this.target);
      if (known) this.clusterNodes[side] = known;
    }
  }

  /**
   * After a transient failure with a cluster on either side: waits until every cluster side is whole again and the
   * other side answers, and points the run at a node that works. Survived (true) only when it was a failover: the
   * slots moved (MOVED, a demoted master, ...) or a cluster's slot map changed meanwhile (a replica replaced a lost
   * master). A connection that merely dropped while the topology stayed the same is left to the resume mode, as
   * between two standalone servers; so is a cluster that stays broken.
   */
  private async recoverClusters(failure: DataPlaneError): Promise<boolean> {
    const known = this.clusterNodes;
    if (!known.source && !known.target) return false;
    const stopping = () => this.lifecycle.stopRequested;
    const [source, target] = await Promise.all([
      awaitHealthyCluster('source', this.sourceEndpoint, known.source?.nodes ?? [], failoverWaitMs, stopping),
      awaitHealthyCluster('target', this.targetEndpoint, known.target?.nodes ?? [], failoverWaitMs, stopping),
    ]);
    if (!source || !target) return false;
    const failedOver =
      failure instanceof ClusterTopologyChange ||
      (known.source !== undefined && known.source.signature !== source.signature) ||
      (known.target !== undefined && known.target.signature !== target.signature);
    if (!failedOver) return false;
    this.sourceEndpoint = source.endpoint;
    this.targetEndpoint = target.endpoint;
    for (const [side, healthy] of [['source', source] as const, ['target', target] as const]) {
      const remembered = known[side];
      if (remembered) remembered.signature = healthy.signature;
    }
    return true;
  }

  /** One attempt: subscribe (incremental), full copy, follow changes until stopped. Throws to resume or fail. */
  private async syncOnce(onSynced: () => void): Promise<void> {
    const incremental = this.options.method === 'incremental';
    const copier = new KeyCopier(
      this.source,
      this.target,
      this.meter,
      bandwidthLimiter(this.options.bandwidthLimitMb),
      this.bigKeys,
    );
    copier.perShard = this.shardCounts;
    copier.carried = this.carried;
    this.feedLost = undefined;
    await Promise.all([
      refuseSeedsOfStandalone(this.source, this.sourceEndpoint),
      refuseSeedsOfStandalone(this.target, this.targetEndpoint),
    ]);
    if (!this.permissionsChecked) {
      // Before anything is copied: a user that may not DUMP, RESTORE or PSUBSCRIBE fails here, naming what it lacks.
      await Promise.all([
        checkPermissions(this.source, 'source', incremental),
        checkPermissions(this.target, 'target', incremental),
      ]);
      this.permissionsChecked = true;
    }
    if (incremental) {
      this.feed = await ChangeFeed.open(this.source, (error) => (this.feedLost ??= error));
      this.watchTopology(this.source);
    }
    let seen = incremental ? await keyspaceWideCommands(this.source) : undefined;
    // After a resume in the incremental phase the copy is a resync: progress stays at 100.
    const resyncing = this.fullSyncDone;

    await copyKeyspace(this.source, copier, {
      onProgress: (copied, total) => (resyncing ? undefined : this.onFullSyncProgress(copied, total, false)),
      shouldStop: () => this.feedLost !== undefined || (!incremental && this.lifecycle.stopRequested),
    });
    this.throwIfFeedLost();
    // A resync after a lost feed or a failover: deletions during the gap sent no event the run saw.
    const feedLost = () => this.feedLost !== undefined;
    if (resyncing) await deleteKeysMissingFromSource(this.source, this.target, copier, this.carried!, feedLost);
    this.throwIfFeedLost();
    if (!incremental) {
      if (this.lifecycle.stopRequested) return this.finish('stopped');
      await this.onFullSyncProgress(1, 1, true);
      return this.finish('succeeded');
    }
    if (!resyncing) await this.onFullSyncProgress(1, 1, true);
    this.fullSyncDone = true;
    this.lifecycle.enter(this.lifecycle.stopRequested ? 'stopping' : 'incremental');
    onSynced();

    let checkedAt = Date.now();
    const stopping = () => this.lifecycle.stopRequested || feedLost();
    while (!this.lifecycle.stopRequested) {
      if (seen && Date.now() - checkedAt >= keyspaceCheckIntervalMs) {
        checkedAt = Date.now();
        seen = await this.catchUp(seen, copier, stopping);
      }
      if ((await this.applyQueued(copier)) === 0) await sleep(20);
    }

    // The stop's cut: once the barrier returns, every event of a command the source ran before it is queued (and a
    // flush since the last check is counted); applying those carries exactly the writes and deletes made before the
    // stop. No re-read of the keyspace: the stop costs what changed, not the size of the keyspace.
    await this.feed!.barrier();
    if (seen) await this.catchUp(seen, copier, feedLost);
    await this.drainQueue(copier);
    this.throwIfFeedLost();
    await this.finish('stopped');
  }

  /**
   * Catches up with commands that change the keyspace without key events, and returns the counts it compared:
   * after a flush, keys the run carried that the source no longer has are deleted; after SWAPDB, whole databases
   * changed places, so the keyspace is copied again too. (A flush or swap replicated by DCS would also empty or
   * move the target's own keys; the emulator cannot tell which databases were flushed, and leaves those alone.)
   */
  private async catchUp(before: KeyspaceWideCommands, copier: KeyCopier, stop: () => boolean) {
    const now = await keyspaceWideCommands(this.source);
    const swapped = now.swaps !== before.swaps;
    if (swapped) await copyKeyspace(this.source, copier, { onProgress: () => {}, shouldStop: stop });
    if (swapped || now.flushes !== before.flushes) {
      await deleteKeysMissingFromSource(this.source, this.target, copier, this.carried!, stop);
    }
    return now;
  }

  /**
   * Applies the keys queued right now (not those queued meanwhile: a source written faster than the target can
   * take would otherwise keep a stop from ever finishing).
   */
  private async drainQueue(copier: KeyCopier): Promise<void> {
    let remaining = this.feed?.size ?? 0;
    while (remaining > 0) {
      const copied = await this.applyQueued(copier, Math.min(remaining, incrementalBatch));
      if (copied === 0) break;
      remaining -= copied;
    }
  }

  /** Re-copies up to one batch of changed keys; returns how many. */
  private async applyQueued(copier: KeyCopier, max = incrementalBatch): Promise<number> {
    this.throwIfFeedLost();
    let copied = 0;
    for (const [db, keys] of this.feed?.take(max) ?? []) copied += await copier.copyKeys(db, keys);
    return copied;
  }

  /**
   * A cluster source's failover (CLUSTER FAILOVER, or a replica taking over a lost master) can leave every
   * connection of the run up, to a node that is now a replica, while key events go to the new master: the slot
   * map is polled, and a change ends the attempt like a lost feed does (the run then finds the masters again,
   * resubscribes and resyncs). Stops by itself when the attempt's connections close.
   */
  private watchTopology(source: RedisConnections): void {
    let checking = false;
    const timer = setInterval(() => {
      if (this.source !== source || this.feedLost || this.lifecycle.isFinal) return clearInterval(timer);
      if (checking) return;
      checking = true;
      source
        .topologyChanged()
        .then(
          (changed) => {
            if (changed && this.source === source)
              this.feedLost ??= new ClusterTopologyChange(`the source cluster's masters changed (failover): resyncing`);
          },
          () => {}, // an unreachable master is reported by its feed connection
        )
        .finally(() => (checking = false));
    }, topologyCheckIntervalMs);
    timer.unref();
    void source.isCluster().then(
      (cluster) => cluster || clearInterval(timer),
      () => clearInterval(timer),
    );
  }

  private async onFullSyncProgress(copied: number, total: number, done: boolean): Promise<void> {
    this.progress = done ? 100 : total === 0 ? 0 : Math.min(99, Math.floor((copied / total) * 100));
    if (this.faults.check(this.progress).dropSource) await dropConnections(this.source);
  }

  private throwIfFeedLost(): void {
    if (this.feedLost) throw this.feedLost;
  }

  private async finish(phase: 'succeeded' | 'failed' | 'stopped', error?: string, transient = false): Promise<void> {
    await this.poller.refresh();
    this.poller.stop();
    await this.closeConnections();
    this.lifecycle.finish(phase, error, transient);
  }

  private async closeConnections(): Promise<void> {
    this.feed?.close();
    await Promise.all([this.source.close(), this.target.close()]);
  }
}

/** Several addresses for one side make sense for a Redis Cluster only: the run would copy the first server alone. */
async function refuseSeedsOfStandalone(side: RedisConnections, endpoint: MigrationEndpoint): Promise<void> {
  if ((endpoint.seeds ?? []).length === 0) return;
  const topology = await side.topology();
  if (topology.kind === 'standalone') {
    const where = [endpoint, ...(endpoint.seeds ?? [])].map(formatAddress).join(',');
    throw new DataPlaneError(
      `the ${side.side} is given as several addresses (${where}), but ${formatAddress(endpoint)} is no Redis Cluster node: give one host:port for a standalone Redis`,
      false,
    );
  }
}
