/** The DCS cache modes ShowInstance reports (`cache_mode`): single node, master/standby, read/write split, Proxy Cluster, Redis Cluster. */
export const CACHE_MODES = ['single', 'ha', 'ha_rw_split', 'proxy', 'cluster'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];
