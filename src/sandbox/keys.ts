// The signing keys behind Casdoor's certificates: cert-built-in (admin) and organization-owned ones.
// An application signs with its `cert` (cert-built-in when unset). /.well-known/jwks publishes every
// certificate, /.well-known/<application>/jwks only the application's. Only each cert's current key
// is published and trusted, so a rotation makes earlier tokens unverifiable, as replacing a cert does.
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import type { Cert } from './types.js';
import { rfc3339 } from './util.js';

export const BUILT_IN_CERT = 'cert-built-in';
/** What an RSA certificate signs with; an EC certificate signs only with its own curve's algorithm. */
export const RSA_ALGS = ['RS256', 'RS512'];
/** A certificate's cryptoAlgorithm: RS256 (RSA 2048, Casdoor's default) or ES256/ES384/ES512 (P-256/P-384/P-521). */
export type CertAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';
const EC_BITS: Record<string, number> = { ES256: 256, ES384: 384, ES512: 521 };

/** The algorithms a certificate of this cryptoAlgorithm signs and verifies with. */
export const algorithmsOf = (algorithm: CertAlgorithm): string[] => (algorithm === 'RS256' ? RSA_ALGS : [algorithm]);

interface KeyEntry {
  kid: string;
  algorithm: CertAlgorithm;
  privatePem: string;
  publicPem: string;
  publicJwk: JWK;
  verifyKeys: Map<string, CryptoKey>;
  signKeys: Map<string, CryptoKey>;
}

async function newEntry(kid: string, algorithm: CertAlgorithm = 'RS256'): Promise<KeyEntry> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    kid,
    algorithm,
    privatePem: await exportPKCS8(privateKey),
    publicPem: await exportSPKI(publicKey),
    publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' },
    verifyKeys: new Map([[algorithm, publicKey]]),
    signKeys: new Map([[algorithm, privateKey]]),
  };
}

/** A saved key; snapshots written before certificates had algorithms hold RSA keys. */
export interface SavedKey { name: string; owner: string; createdMs: number; kid: string; privatePem: string; publicPem: string; algorithm?: CertAlgorithm }

async function entryFromPem(k: SavedKey): Promise<KeyEntry> {
  const algorithm = k.algorithm ?? 'RS256';
  const publicKey = await importSPKI(k.publicPem, algorithm, { extractable: true });
  const privateKey = await importPKCS8(k.privatePem, algorithm);
  const publicJwk = await exportJWK(publicKey);
  return {
    kid: k.kid, algorithm, privatePem: k.privatePem, publicPem: k.publicPem,
    publicJwk: { ...publicJwk, kid: k.kid, alg: algorithm, use: 'sig' },
    verifyKeys: new Map([[algorithm, publicKey]]), signKeys: new Map([[algorithm, privateKey]]),
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
    return [...this.entries].map(([name, { owner, entry, createdMs }]) => ({
      name, owner, createdMs, kid: entry.kid, privatePem: entry.privatePem, publicPem: entry.publicPem, algorithm: entry.algorithm,
    }));
  }

  async rotate(): Promise<void> {
    this.generation += 1;
    this.entries.get(BUILT_IN_CERT)!.entry = await newEntry(`${BUILT_IN_CERT}-${this.generation}`);
  }

  /** An organization-owned certificate (kid = its name), as an organization admin creates one. */
  async addCert(owner: string, name: string, createdMs: number, algorithm: CertAlgorithm = 'RS256'): Promise<Cert> {
    if (!this.entries.has(name)) this.entries.set(name, { owner, entry: await newEntry(name, algorithm), createdMs });
    return this.recordOf(name)!;
  }

  /** Every algorithm some certificate signs with (discovery's id_token_signing_alg_values_supported). */
  algorithms(): string[] {
    return [...new Set([...this.entries.values()].flatMap((e) => algorithmsOf(e.entry.algorithm)))];
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
      scope: 'JWT', type: 'x509', cryptoAlgorithm: entry.algorithm, bitSize: EC_BITS[entry.algorithm] ?? 2048, expireInYears: 20,
      certificate: entry.publicPem, privateKey: entry.privatePem,
    };
  }

  // The cert row Casdoor would hold for cert-built-in (certificate = public key PEM here).
  certRecord(createdMs: number): Cert {
    this.entries.get(BUILT_IN_CERT)!.createdMs = createdMs;
    return this.recordOf(BUILT_IN_CERT)!;
  }

  // Mirrors generateJwtToken's method choice: "" and unknown methods mean the certificate's own
  // algorithm (RS256 for RSA ones); a method of the other key type fails with jwt-go's error.
  async sign(payload: Record<string, unknown>, signingMethod: string, certName?: string): Promise<string> {
    const entry = this.entryFor(certName);
    const known = RSA_ALGS.includes(signingMethod) || signingMethod in EC_BITS;
    const alg = known ? signingMethod : entry.algorithm;
    if (!algorithmsOf(entry.algorithm).includes(alg)) {
      throw new Error(alg.startsWith('ES') ? 'key is not a valid ECDSA private key' : 'key is not a valid RSA private key');
    }
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
        const alg = header.alg ?? entry.algorithm;
        // A certificate verifies only its own algorithms (no RS256 token passes as ES256 or back).
        if (!algorithmsOf(entry.algorithm).includes(alg)) throw new Error(`unexpected algorithm ${alg}`);
        let key = entry.verifyKeys.get(alg);
        if (!key) {
          key = await importSPKI(entry.publicPem, alg);
          entry.verifyKeys.set(alg, key);
        }
        return key;
      }, {
        algorithms: [...RSA_ALGS, ...Object.keys(EC_BITS)],
        currentDate: new Date(nowMs),
      });
      return payload;
    } catch {
      return null;
    }
  }
}
