import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConsoleRequestError, checkJsonPost, checkRead } from '../../cli/console/security.ts';

/** A request with only the headers the checks read. */
function requestWith(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function refusal(check: () => void): { status: number; message: string } | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!(error instanceof ConsoleRequestError)) throw error;
    return { status: error.status, message: error.message };
  }
}

describe('serve request checks', () => {
  it('admits, besides loopback, only the non-loopback address the server was bound to explicitly', () => {
    // Prepare
    const on = (host: string) => requestWith({ host });

    // Act / Assess
    expect(refusal(() => checkRead(on('192.0.2.10:4680'), 4680, '192.0.2.10'))).toBeUndefined();
    expect(refusal(() => checkRead(on('[2001:db8::1]:4680'), 4680, '2001:db8::1'))).toBeUndefined();
    expect(refusal(() => checkRead(on('0.0.0.0:4680'), 4680, '0.0.0.0'))).toBeUndefined();
    expect(refusal(() => checkRead(on('192.0.2.10:4680'), 4680))?.status).toBe(421);
    expect(refusal(() => checkRead(on('attacker.example:4680'), 4680, '192.0.2.10'))?.status).toBe(421);
    expect(refusal(() => checkRead(on('192.0.2.10:4681'), 4680, '192.0.2.10'))?.status).toBe(421);
  });

  it("compares the Origin with the server's own, whatever the case", () => {
    // Prepare
    const from = (origin: string) => requestWith({ host: 'localhost:4680', origin });

    // Act / Assess
    expect(refusal(() => checkRead(from('http://LOCALHOST:4680'), 4680))).toBeUndefined();
    expect(refusal(() => checkRead(from('https://localhost:4680'), 4680))?.status).toBe(403);
  });

  it('reads the media type without its parameters, and refuses a missing one', () => {
    // Prepare
    const typed = (type?: string) =>
      requestWith({ host: '127.0.0.1:4680', ...(type === undefined ? {} : { 'content-type': type }) });

    // Act / Assess
    expect(refusal(() => checkJsonPost(typed('Application/JSON; charset=utf-8'), 4680))).toBeUndefined();
    expect(refusal(() => checkJsonPost(typed(), 4680))).toEqual({
      status: 415,
      message: 'a POST takes a JSON body (content-type: application/json)',
    });
    expect(refusal(() => checkJsonPost(typed('text/plain'), 4680))?.status).toBe(415);
  });
});
