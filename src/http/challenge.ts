import type { Challenge } from '../auth/errors.js';

/** RFC 7235 quoted-string: escape \ and ", drop what a header cannot carry, so no value can break the header. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Builds the WWW-Authenticate value for a 401/403 (RFC 6750 §3, MCP authorization spec). With no
 * credentials at all there is no error= parameter (RFC 6750 §3.1).
 */
export function wwwAuthenticate(challenge: Challenge, resourceMetadataUrl: string, realm: string): string {
  const parts: string[] = [];
  if (challenge.error === 'insufficient_scope') {
    parts.push(`error=${quoted(challenge.error)}`);
    if (challenge.scope) parts.push(`scope=${quoted(challenge.scope)}`);
    parts.push(`resource_metadata=${quoted(resourceMetadataUrl)}`);
  } else {
    parts.push(`realm=${quoted(realm)}`, `resource_metadata=${quoted(resourceMetadataUrl)}`);
    if (challenge.scope) parts.push(`scope=${quoted(challenge.scope)}`);
    if (challenge.error) parts.push(`error=${quoted(challenge.error)}`);
  }
  if (challenge.errorDescription) parts.push(`error_description=${quoted(challenge.errorDescription)}`);
  return `Bearer ${parts.join(', ')}`;
}
