// Peer and developer-monitor client (browser-safe; Node transport in node-transport.ts).
export * from './transport.ts';
export * from './pv-client.ts';
export * from './peer.ts';
export * from './monitor.ts';
export * from './ca-trust.ts';
