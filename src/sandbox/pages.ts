// The sandbox's sign-in and consent pages: plain server-rendered HTML (no script), so any browser and
// any test can fill them. Every value written into a page is escaped.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0;display:flex;justify-content:center}
main{background:#fff;margin:48px 16px;padding:28px 32px;border-radius:8px;box-shadow:0 1px 4px #0002;max-width:440px;width:100%}
h1{font-size:1.3em;margin:0 0 4px}p.sub{color:#555;margin:0 0 20px}label{display:block;margin:12px 0 4px;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:1em}
button{margin-top:18px;padding:9px 18px;font-size:1em;cursor:pointer}ul{padding-left:20px}li{margin:8px 0}
.err{background:#fdecea;color:#8a1c13;padding:8px 10px;border-radius:4px}.note{color:#777;font-size:.85em;margin-top:22px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}
<p class="note">Sandbox Casdoor (casdoor-mcp demo): not a real identity provider.</p></main></body></html>`;
}

const hidden = (fields: Record<string, string>): string =>
  Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');

export interface SigninView {
  application: string;
  organization: string;
  /** The authorization request, carried through the form unchanged. */
  request: Record<string, string>;
  username?: string;
  error?: string;
}

export function signinPage(v: SigninView): string {
  return page(`Sign in to ${v.application}`, `<h1>Sign in</h1><p class="sub">to continue to <b>${esc(v.application)}</b></p>
${v.error ? `<p class="err" role="alert">${esc(v.error)}</p>` : ''}
<form method="post" action="/login/oauth/authorize">${hidden(v.request)}
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" value="${esc(v.username ?? '')}" placeholder="organization/name, e.g. acme/alice" required autofocus>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="signin">Sign in</button></form>
<p class="note">A name without an organization is looked up in ${esc(v.organization)}.</p>`);
}

export interface ConsentScope { name: string; displayName: string; description: string }

export interface ConsentView {
  application: string;
  user: string;
  resource: string;
  scopes: ConsentScope[];
  /** Opaque id of the signed-in authorization request. */
  ticket: string;
}

export function consentPage(v: ConsentView): string {
  const items = v.scopes.length
    ? `<ul id="scopes">${v.scopes.map((s) => `<li data-scope="${esc(s.name)}"><b>${esc(s.displayName)}</b> <code>${esc(s.name)}</code><br>${esc(s.description)}</li>`).join('')}</ul>`
    : '<p>No scopes were requested: the client gets a token without any.</p>';
  return page(`Allow ${v.application}?`, `<h1>Allow ${esc(v.application)}?</h1>
<p class="sub">Signed in as <b>${esc(v.user)}</b>. ${esc(v.application)} asks to act for you${v.resource ? ` at <code>${esc(v.resource)}</code>` : ''}:</p>
${items}
<form method="post" action="/login/oauth/consent">${hidden({ ticket: v.ticket })}
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>`);
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${esc(title)}</h1><p class="err" role="alert">${esc(message)}</p>`);
}
