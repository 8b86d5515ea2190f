/**
 * The hub endpoint of test servers that are given no fake hub: a closed port on loopback, so a hub call
 * (catalog, model files facts) fails at once with "connection refused" instead of looking up a real hub's
 * name. Port 9 (discard) is never served on these machines.
 */
export const NO_HUB = 'http://127.0.0.1:9';
