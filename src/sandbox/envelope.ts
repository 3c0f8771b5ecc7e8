// Casdoor's REST envelopes. Controllers answer with the full Response struct
// (controllers/account.go); filters (routers/base.go) use a slimmer one. HTTP is 200 for both.

export interface Envelope {
  status: 'ok' | 'error';
  msg: string;
  sub: string;
  name: string;
  data: unknown;
  data2: unknown;
  data3: unknown;
}

export interface FilterEnvelope {
  status: 'error';
  msg: string;
  data: unknown;
  data2: unknown;
}

export function ok(data: unknown = null, data2: unknown = null): Envelope {
  return { status: 'ok', msg: '', sub: '', name: '', data, data2, data3: null };
}

export function fail(msg: string, data: unknown = null, data2: unknown = null): Envelope {
  return { status: 'error', msg, sub: '', name: '', data, data2, data3: null };
}

export function filterError(msg: string, data: unknown = null): FilterEnvelope {
  return { status: 'error', msg, data, data2: null };
}

// wrapActionResponse: writes report "Affected"/"Unaffected", errors become the message.
export function action(affected: boolean, error?: string | null): Envelope {
  if (error) return fail(error);
  return ok(affected ? 'Affected' : 'Unaffected');
}

export const UNAUTHORIZED = 'Unauthorized operation';
export const PLEASE_LOGIN = 'Please login first';
