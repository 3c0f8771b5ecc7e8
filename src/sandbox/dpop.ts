// RFC 9449 proof check for DPoP-bound tokens: the request must say "DPoP <token>" and carry a DPoP
// header, a JWT signed by the key whose thumbprint the token is bound to, naming this method and URL.
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import type { Ctx } from './context.js';

export async function checkDpopProof(c: Ctx, jkt: string): Promise<string | undefined> {
  const scheme = (c.req.header('authorization') ?? '').split(' ')[0];
  const proof = c.req.header('dpop');
  if (scheme !== 'DPoP' || !proof) return 'DPoP proof is required for a DPoP-bound access token';
  try {
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: 300 });
    if (!protectedHeader.jwk || (await calculateJwkThumbprint(protectedHeader.jwk)) !== jkt) return 'DPoP proof key does not match the token';
    const url = new URL(c.req.url);
    if (payload.htm !== c.req.method || payload.htu !== `${url.origin}${url.pathname}`) return 'DPoP proof does not match the request';
  } catch {
    return 'DPoP proof is invalid';
  }
  return undefined;
}
