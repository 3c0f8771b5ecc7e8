import { hash } from 'node:crypto';

/**
 * SHA-256 in hex: how credentials are keyed in caches and stores, so no raw token or cookie is kept as
 * a key. The one-shot hash costs about half of a createHash() chain, and it runs on every request.
 */
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex');
