import { describe, expect, it } from 'vitest';
import { isClusterUrl, parseClusterUrl, redisUrlFromEnv, redisWhere } from './redis-client.js';

describe('Redis Cluster URLs', () => {
  it('parse seed nodes and credentials, and say what is wrong', () => {
    expect(parseClusterUrl('redis-cluster://a:7000,b:7001')).toEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      tls: false,
    });
    expect(parseClusterUrl('rediss-cluster://u:p%40ss@h:1/')).toEqual({
      nodes: [{ host: 'h', port: 1 }],
      username: 'u',
      password: 'p@ss',
      tls: true,
    });
    expect(() => parseClusterUrl('redis-cluster://a,b:1')).toThrow('Redis Cluster node "a" must be host:port');
    expect(() => parseClusterUrl('redis-cluster://')).toThrow('at least one node');
    expect(isClusterUrl('redis://h:1')).toBe(false);
  });

  it('REDIS_CLUSTER_NODES builds the URL with REDIS_URL credentials and TLS; a cluster REDIS_URL is kept', () => {
    expect(redisUrlFromEnv({ REDIS_CLUSTER_NODES: 'h1:1,h2:2' })).toBe('redis-cluster://h1:1,h2:2');
    expect(redisUrlFromEnv({ REDIS_CLUSTER_NODES: 'h1:1', REDIS_URL: 'rediss://u:pw@x:9' })).toBe('rediss-cluster://u:pw@h1:1');
    expect(redisUrlFromEnv({ REDIS_CLUSTER_NODES: 'h1:1', REDIS_URL: 'redis-cluster://h9:9' })).toBe('redis-cluster://h9:9');
    expect(redisUrlFromEnv({}, 'redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(() => redisUrlFromEnv({ REDIS_CLUSTER_NODES: 'nope' })).toThrow('must be host:port');
  });

  it('messages name the nodes, never the password', () => {
    expect(redisWhere('redis-cluster://u:secret@h1:1,h2:2')).toBe('cluster h1:1,h2:2');
    expect(redisWhere('redis://u:secret@h:1')).toBe('h:1');
  });
});
