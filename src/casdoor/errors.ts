/**
 * Stable codes for every way a Casdoor call can fail. The tool edge turns them into isError results
 * an agent can act on; the messages name the Casdoor endpoint and never carry credentials.
 */
export type CasdoorErrorCode =
  | 'casdoor_rejected' // Casdoor answered {status:"error"} (HTTP 200 with an error envelope)
  | 'casdoor_unaffected' // a write answered data:"Unaffected": nothing matched, or a duplicate
  | 'casdoor_http' // a non-2xx status
  | 'casdoor_timeout'
  | 'casdoor_unreachable'
  | 'casdoor_bad_response' // not JSON, or not Casdoor's envelope
  | 'casdoor_credentials'; // Casdoor answered as to an anonymous caller: the server's own client id/secret are wrong

export class CasdoorError extends Error {
  constructor(
    readonly code: CasdoorErrorCode,
    message: string,
    readonly endpoint: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CasdoorError';
  }
}
