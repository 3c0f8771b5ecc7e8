// Providers: controllers/provider.go. get-providers?owner=X also lists the global ("admin")
// providers (providers-get-providers.json); client secrets are masked for all but global admins.
import { maskProvider, PROVIDER_MASKED } from '../../casdoor/masking.js';
import type { Family } from '../family.js';
import { schema } from '../schema.js';
import { table } from './table.js';

export const PROVIDER = schema('Provider', `owner name createdTime displayName category type subType method clientId
  clientSecret clientId2 clientSecret2 cert customAuthUrl customTokenUrl customUserInfoUrl customLogoutUrl customLogo
  scopes userMapping:m httpHeaders:m host port:i disableSsl:b sslMode title content receiver regionId signName
  templateCode appId endpoint intranetEndpoint domain bucket pathPrefix metadata idP issuerUrl
  enableSignAuthnRequest:b emailRegex providerUrl enableProxy:b enablePkce:b state`);


export const providers: Family = {
  singular: 'provider',
  plural: 'providers',
  table: 'provider',
  schema: PROVIDER,
  rows: (store) => table(store, 'provider'),
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  access: { get: { anyone: true } },
  listScope: 'owner-or-admin',
  globalName: true,
  mask: (row, view) => (view.globalAdmin ? row : maskProvider(row)),
  keepMasked: PROVIDER_MASKED,
  seeds: (created) => [
    { owner: 'admin', name: 'provider_captcha_default', createdTime: created(), displayName: 'Captcha Default', category: 'Captcha', type: 'Default' },
    {
      owner: 'admin', name: 'provider_github', createdTime: created(), displayName: 'GitHub', category: 'OAuth', type: 'GitHub',
      clientId: 'Iv1.6a7f0c1e2d3b4a59', clientSecret: 'gh-secret-8c1d2e3f4a5b6c7d8e9f', scopes: 'read:user user:email',
    },
    {
      owner: 'acme', name: 'acme-smtp', createdTime: created(), displayName: 'Acme mail', category: 'Email', type: 'Default',
      clientId: 'mailer@acme.example.com', clientSecret: 'smtp-password-acme', host: 'smtp.acme.example.com', port: 587,
      title: 'Your Acme code', content: 'Your code is %s', receiver: 'alice@acme.example.com',
    },
    {
      owner: 'globex', name: 'globex-saml', createdTime: created(), displayName: 'Globex SSO', category: 'SAML', type: 'Keycloak',
      clientId: 'globex-sp', clientSecret: 'saml-secret-globex', cert: '-----BEGIN CERTIFICATE-----\nMIIBsandboxGlobex\n-----END CERTIFICATE-----',
      issuerUrl: 'https://sso.globex.example.com/realms/globex', enableSignAuthnRequest: true,
    },
  ],
};
