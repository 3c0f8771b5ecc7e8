/** An error the SDK's Protocol puts on the wire as is: its code, message and data. */
export class RpcError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}
