// The signing keys behind Casdoor's certificates: cert-built-in (admin) and organization-owned ones.
// An application signs with its `cert` (cert-built-in when unset). /.well-known/jwks publishes every
// certificate, /.well-known/<application>/jwks only the application's. Only each cert's current key
// is published and trusted, so a rotation makes earlier tokens unverifiable, as replacing a cert does.
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import type { Cert } from './types.js';
import { rfc3339 } from './util.js';

export const BUILT_IN_CERT = 'cert-built-in';
/** What the sandbox's RSA keys sign with (discovery's id_token_signing_alg_values_supported). */
export const RSA_ALGS = ['RS256', 'RS512'];

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

export interface SavedKey { name: string; owner: string; createdMs: number; kid: string; privatePem: string; publicPem: string }

async function entryFromPem(k: SavedKey): Promise<KeyEntry> {
  const publicKey = await importSPKI(k.publicPem, 'RS256', { extractable: true });
  const privateKey = await importPKCS8(k.privatePem, 'RS256');
  const publicJwk = await exportJWK(publicKey);
  return {
    kid: k.kid, privatePem: k.privatePem, publicPem: k.publicPem,
    publicJwk: { ...publicJwk, kid: k.kid, alg: 'RS256', use: 'sig' },
    verifyKeys: new Map([['RS256', publicKey]]), signKeys: new Map([['RS256', privateKey]]),
  };
}

export class KeyRing {
  // Certificate name -> its key; the built-in one is always present.
  private readonly entries = new Map<string, { owner: string; entry: KeyEntry; createdMs: number }>();
  private generation = 1;

  private constructor(entry: KeyEntry) {
    this.entries.set(BUILT_IN_CERT, { owner: 'admin', entry, createdMs: 0 });
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await newEntry(BUILT_IN_CERT));
  }

  private get builtIn(): KeyEntry {
    return this.entries.get(BUILT_IN_CERT)!.entry;
  }

  /** The keys a saved sandbox signed with, so its tokens stay valid across restarts. */
  static async fromSaved(saved: readonly SavedKey[]): Promise<KeyRing> {
    const builtIn = saved.find((k) => k.name === BUILT_IN_CERT);
    if (!builtIn) throw new Error(`no ${BUILT_IN_CERT} key`);
    const ring = new KeyRing(await entryFromPem(builtIn));
    for (const k of saved) ring.entries.set(k.name, { owner: k.owner, entry: k.name === BUILT_IN_CERT ? ring.builtIn : await entryFromPem(k), createdMs: k.createdMs });
    return ring;
  }

  /** What fromSaved needs: every certificate's current key. */
  saved(): SavedKey[] {
    return [...this.entries].map(([name, { owner, entry, createdMs }]) => ({ name, owner, createdMs, kid: entry.kid, privatePem: entry.privatePem, publicPem: entry.publicPem }));
  }

  async rotate(): Promise<void> {
    this.generation += 1;
    this.entries.get(BUILT_IN_CERT)!.entry = await newEntry(`${BUILT_IN_CERT}-${this.generation}`);
  }

  /** An organization-owned certificate (kid = its name), as an organization admin creates one. */
  async addCert(owner: string, name: string, createdMs: number): Promise<Cert> {
    if (!this.entries.has(name)) this.entries.set(name, { owner, entry: await newEntry(name), createdMs });
    return this.recordOf(name)!;
  }

  /** Every certificate (the global JWKS), or only the one an application signs with. */
  jwks(certName?: string): { keys: JWK[] } {
    if (certName !== undefined) return { keys: [{ ...this.entryFor(certName).publicJwk }] };
    return { keys: [...this.entries.values()].map((e) => ({ ...e.entry.publicJwk })) };
  }

  private entryFor(certName: string | undefined): KeyEntry {
    return (certName ? this.entries.get(certName)?.entry : undefined) ?? this.builtIn;
  }

  private recordOf(name: string): Cert | undefined {
    const found = this.entries.get(name);
    if (!found) return undefined;
    const { entry, owner, createdMs } = found;
    return {
      owner, name, createdTime: rfc3339(createdMs), displayName: name === BUILT_IN_CERT ? 'Built-in Cert' : name,
      scope: 'JWT', type: 'x509', cryptoAlgorithm: 'RS256', bitSize: 2048, expireInYears: 20,
      certificate: entry.publicPem, privateKey: entry.privatePem,
    };
  }

  // The cert row Casdoor would hold for cert-built-in (certificate = public key PEM here).
  certRecord(createdMs: number): Cert {
    this.entries.get(BUILT_IN_CERT)!.createdMs = createdMs;
    return this.recordOf(BUILT_IN_CERT)!;
  }

  // Mirrors generateJwtToken's method choice: unknown methods fall back to RS256, ES* needs an EC cert.
  async sign(payload: Record<string, unknown>, signingMethod: string, certName?: string): Promise<string> {
    const alg = RSA_ALGS.includes(signingMethod) ? signingMethod : signingMethod.startsWith('ES') ? signingMethod : 'RS256';
    if (!RSA_ALGS.includes(alg)) throw new Error('key is not a valid ECDSA private key');
    const entry = this.entryFor(certName);
    let key = entry.signKeys.get(alg);
    if (!key) {
      key = await importPKCS8(entry.privatePem, alg);
      entry.signKeys.set(alg, key);
    }
    return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg, kid: entry.kid, typ: 'JWT' }).sign(key);
  }

  // ParseJwtToken: signature + exp/nbf against the current key of the cert the kid names; null when invalid.
  async verify(token: string, nowMs: number): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, async (header) => {
        const entry = [...this.entries.values()].map((e) => e.entry).find((e) => e.kid === header.kid) ?? this.builtIn;
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
