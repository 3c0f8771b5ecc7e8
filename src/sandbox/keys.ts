// The signing key behind cert-built-in. Only the current key is published and trusted, so a
// rotation makes every earlier token unverifiable, as replacing a cert does in Casdoor.
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import type { Cert } from './types.js';
import { rfc3339 } from './util.js';

export const BUILT_IN_CERT = 'cert-built-in';
const RSA_ALGS = ['RS256', 'RS512'];

interface KeyEntry {
  kid: string;
  privatePem: string;
  publicPem: string;
  publicJwk: JWK;
  verifyKeys: Map<string, CryptoKey>;
  signKeys: Map<string, CryptoKey>;
}

async function newEntry(kid: string): Promise<KeyEntry> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    kid,
    privatePem: await exportPKCS8(privateKey),
    publicPem: await exportSPKI(publicKey),
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    verifyKeys: new Map([['RS256', publicKey]]),
    signKeys: new Map([['RS256', privateKey]]),
  };
}

export class KeyRing {
  private entry: KeyEntry;
  private generation = 1;

  private constructor(entry: KeyEntry) {
    this.entry = entry;
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await newEntry(BUILT_IN_CERT));
  }

  async rotate(): Promise<void> {
    this.generation += 1;
    this.entry = await newEntry(`${BUILT_IN_CERT}-${this.generation}`);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.entry.publicJwk }] };
  }

  // The cert row Casdoor would hold for cert-built-in (certificate = public key PEM here).
  certRecord(createdMs: number): Cert {
    return {
      owner: 'admin', name: BUILT_IN_CERT, createdTime: rfc3339(createdMs), displayName: 'Built-in Cert',
      scope: 'JWT', type: 'x509', cryptoAlgorithm: 'RS256', bitSize: 2048, expireInYears: 20,
      certificate: this.entry.publicPem, privateKey: this.entry.privatePem,
    };
  }

  // Mirrors generateJwtToken's method choice: unknown methods fall back to RS256, ES* needs an EC cert.
  async sign(payload: Record<string, unknown>, signingMethod: string): Promise<string> {
    const alg = RSA_ALGS.includes(signingMethod) ? signingMethod : signingMethod.startsWith('ES') ? signingMethod : 'RS256';
    if (!RSA_ALGS.includes(alg)) throw new Error('key is not a valid ECDSA private key');
    let key = this.entry.signKeys.get(alg);
    if (!key) {
      key = await importPKCS8(this.entry.privatePem, alg);
      this.entry.signKeys.set(alg, key);
    }
    return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg, kid: this.entry.kid, typ: 'JWT' }).sign(key);
  }

  // ParseJwtToken: signature + exp/nbf against the current cert; null when invalid.
  async verify(token: string, nowMs: number): Promise<JWTPayload | null> {
    try {
      const entry = this.entry;
      const { payload } = await jwtVerify(token, async (header) => {
        const alg = header.alg ?? 'RS256';
        let key = entry.verifyKeys.get(alg);
        if (!key) {
          key = await importSPKI(entry.publicPem, alg);
          entry.verifyKeys.set(alg, key);
        }
        return key;
      }, {
        algorithms: RSA_ALGS,
        currentDate: new Date(nowMs),
      });
      return payload;
    } catch {
      return null;
    }
  }
}
