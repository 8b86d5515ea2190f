/**
 * An HTTP/1.1 response parser for the router's upstream connections (upstream-pool.ts): status line and
 * headers, then the body framed by `Transfer-Encoding: chunked`, `Content-Length`, or the end of the
 * connection (RFC 9112 §6.3). Body bytes are handed on as views of the bytes received (no copies; chunk
 * framing removed). Interim 1xx responses are skipped. Only the headers a proxy to an engine needs are kept
 * (framing, content type, Retry-After, Keep-Alive); the rest are checked for form and dropped, as the router
 * forwards none of them. Anything malformed is an error, after which the connection must be closed.
 */

import { HeaderNames } from '../header-names.js';

export interface ResponseEvents {
  onHead(status: number, headers: UpstreamHeaders): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; `keepAlive` says whether the connection may carry another request. */
  onComplete(keepAlive: boolean): void;
}

/** A response the parser cannot accept: the connection is unusable. */
export class UpstreamProtocolError extends Error {
  readonly code = 'UPSTREAM_PROTOCOL';
  constructor(message: string) {
    super(`upstream protocol error: ${message}`);
    this.name = 'UpstreamProtocolError';
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const MAX_CHUNK_SIZE = 2 ** 40;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CR = 13;
const LF = 10;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
/** Bytes a header value may not hold (what Node's own checks refuse when the value is passed on). */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const F_CONNECTION = 1;
const F_KEEP_ALIVE = 2;
const F_RETRY_AFTER = 3;
const F_CONTENT_TYPE = 4;
const F_CONTENT_LENGTH = 5;
const F_TRANSFER_ENCODING = 6;
/** The header names the parser reads, in the order of the F_ ids above. */
const KEPT_HEADERS = new HeaderNames([
  'connection',
  'keep-alive',
  'retry-after',
  'content-type',
  'content-length',
  'transfer-encoding',
]);

/** The response headers the router uses; others are checked for form only and not kept. */
export interface UpstreamHeaders {
  'content-type': string | undefined;
  'content-length': string | undefined;
  'retry-after': string | undefined;
  'keep-alive': string | undefined;
}

const join = (prev: string | undefined, value: string): string =>
  prev === undefined ? value : `${prev}, ${value}`;

const enum State {
  Head,
  Fixed,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

/** A `Keep-Alive: timeout=N` hint, in seconds, when the response carried one. */
export function keepAliveHintS(headers: { 'keep-alive'?: string | undefined }): number | undefined {
  const v = headers['keep-alive'];
  if (typeof v !== 'string') return undefined;
  const m = /(?:^|[,\s])timeout\s*=\s*(\d+)/i.exec(v);
  return m === null ? undefined : Number(m[1]);
}

export class ResponseParser {
  private state = State.Head;
  private head: Buffer | undefined;
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;
  private keepAlive = true;
  private noBody = false;

  constructor(private readonly events: ResponseEvents) {}

  /** A request goes out: the next bytes are its response. `noBody` for HEAD requests. */
  reset(noBody = false): void {
    this.state = State.Head;
    this.head = undefined;
    this.remaining = 0;
    this.line = '';
    this.trailerBytes = 0;
    this.keepAlive = true;
    this.noBody = noBody;
  }

  /** Whether a response is complete (and no bytes beyond it arrived). */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether the response head has been parsed. */
  get headSeen(): boolean {
    return this.state !== State.Head;
  }

  /** Bytes from the connection. Throws UpstreamProtocolError (the connection must then be closed). */
  feed(data: Buffer): void {
    let pos = 0;
    const n = data.length;
    while (pos < n) {
      switch (this.state) {
        case State.Head:
          pos = this.feedHead(data, pos);
          break;
        case State.Fixed: {
          const take = Math.min(this.remaining, n - pos);
          this.remaining -= take;
          const piece = pos === 0 && take === n ? data : data.subarray(pos, pos + take);
          pos += take;
          if (this.remaining === 0) this.state = State.Done;
          this.events.onBody(piece);
          break;
        }
        case State.UntilClose:
          this.events.onBody(pos === 0 ? data : data.subarray(pos));
          pos = n;
          break;
        case State.ChunkSize:
          pos = this.feedChunkSize(data, pos);
          break;
        case State.ChunkData: {
          const take = Math.min(this.remaining, n - pos);
          this.remaining -= take;
          const piece = data.subarray(pos, pos + take);
          pos += take;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.line = '';
          }
          this.events.onBody(piece);
          break;
        }
        case State.ChunkDataEnd:
          // The CRLF after a chunk's data (it may arrive split over two reads).
          if (this.line === '') {
            if (data[pos] !== CR) throw new UpstreamProtocolError('chunk data not followed by CRLF');
            this.line = '\r';
            pos++;
          } else {
            if (data[pos] !== LF) throw new UpstreamProtocolError('chunk data not followed by CRLF');
            pos++;
            this.line = '';
            this.state = State.ChunkSize;
          }
          break;
        case State.Trailers:
          pos = this.feedTrailers(data, pos);
          break;
        case State.Done:
          throw new UpstreamProtocolError('bytes after the end of the response');
      }
      if (this.state === State.Done) {
        // Nothing may follow a response: no request is pipelined behind it.
        if (pos < n) throw new UpstreamProtocolError('bytes after the end of the response');
        this.events.onComplete(this.keepAlive);
        return;
      }
    }
  }

  /**
   * The connection ended (the server closed it). Completes a response framed by the connection's end;
   * throws when a response was cut short.
   */
  end(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.keepAlive = false;
      this.events.onComplete(false);
      return;
    }
    if (this.state !== State.Done) {
      throw new UpstreamProtocolError(
        this.state === State.Head ? 'connection closed before the response' : 'connection closed mid-body',
      );
    }
  }

  private feedHead(data: Buffer, pos: number): number {
    let buf: Buffer;
    let searchFrom: number;
    let base: number;
    if (this.head === undefined) {
      buf = data;
      searchFrom = pos;
      base = pos;
    } else {
      // Only the 3 bytes before the new data can start a terminator that ends in it.
      searchFrom = Math.max(0, this.head.length - 3);
      buf = Buffer.concat([this.head, pos === 0 ? data : data.subarray(pos)]);
      base = 0;
    }
    const end = buf.indexOf(CRLFCRLF, searchFrom);
    if (end === -1) {
      if (buf.length - base > MAX_HEAD_BYTES) throw new UpstreamProtocolError('response head too large');
      this.head = base === 0 ? buf : buf.subarray(base);
      return data.length;
    }
    if (end - base > MAX_HEAD_BYTES) throw new UpstreamProtocolError('response head too large');
    const consumedOfData = this.head === undefined ? end + 4 : end + 4 - this.head.length + pos;
    const text = buf.toString('latin1', base, end);
    this.head = undefined;
    this.parseHead(text);
    return consumedOfData;
  }

  private parseHead(text: string): void {
    let eol = text.indexOf('\r\n');
    if (eol === -1) eol = text.length;
    const m = STATUS_LINE.exec(text.slice(0, eol));
    if (m === null) throw new UpstreamProtocolError('malformed status line');
    const http10 = m[1] === '0';
    const status = Number(m[2]);
    // A fixed shape (monomorphic stores): only the fields the router reads or forwards are kept.
    const headers: UpstreamHeaders = {
      'content-type': undefined,
      'content-length': undefined,
      'retry-after': undefined,
      'keep-alive': undefined,
    };
    let contentLength = -1;
    let chunked = false;
    let otherCoding = false;
    let connection = '';
    let pos = eol + 2;
    const len = text.length;
    while (pos < len) {
      let end = text.indexOf('\r\n', pos);
      if (end === -1) end = len;
      const c = text.indexOf(':', pos);
      if (c === -1 || c >= end || c === pos) throw new UpstreamProtocolError('malformed header line');
      // No whitespace may lead a line (obsolete folding) or sit between a name and its colon (RFC 9112 §5.1).
      const first = text.charCodeAt(pos);
      const last = text.charCodeAt(c - 1);
      if (first === 32 || first === 9 || last === 32 || last === 9)
        throw new UpstreamProtocolError('malformed header name');
      const line = pos;
      pos = end + 2;
      // Only names of interest are compared (by length first); the others are skipped unread.
      const field = KEPT_HEADERS.idOf(text, line, c);
      if (field === 0) continue;
      const value = text.slice(c + 1, end).trim();
      if (BAD_VALUE.test(value)) throw new UpstreamProtocolError('malformed header value');
      switch (field) {
        case F_CONTENT_LENGTH: {
          if (!/^\d{1,15}$/.test(value)) throw new UpstreamProtocolError('invalid content-length');
          const n = Number(value);
          if (contentLength !== -1 && contentLength !== n)
            throw new UpstreamProtocolError('conflicting content-length');
          contentLength = n;
          headers['content-length'] = value;
          break;
        }
        case F_TRANSFER_ENCODING: {
          const codings = value.toLowerCase().split(',');
          const lastCoding = (codings[codings.length - 1] as string).trim();
          chunked = lastCoding === 'chunked';
          otherCoding = !chunked;
          break;
        }
        case F_CONNECTION:
          connection += `${value.toLowerCase()},`;
          break;
        case F_CONTENT_TYPE:
          headers['content-type'] = join(headers['content-type'], value);
          break;
        case F_RETRY_AFTER:
          headers['retry-after'] = join(headers['retry-after'], value);
          break;
        case F_KEEP_ALIVE:
          headers['keep-alive'] = join(headers['keep-alive'], value);
          break;
      }
    }
    if (status >= 100 && status < 200) {
      if (status === 101) throw new UpstreamProtocolError('unexpected protocol switch');
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      return;
    }
    this.keepAlive = http10
      ? /(?:^|,)\s*keep-alive\s*,/.test(connection)
      : !/(?:^|,)\s*close\s*,/.test(connection);
    const bodyless = this.noBody || status === 204 || status === 304;
    if (bodyless) {
      this.state = State.Done;
      this.events.onHead(status, headers);
      return;
    }
    if (chunked) {
      this.state = State.ChunkSize;
      this.line = '';
    } else if (otherCoding) {
      this.state = State.UntilClose;
      this.keepAlive = false;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.Fixed;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    this.events.onHead(status, headers);
  }

  /**
   * A line that may arrive over several reads: with `nl` (the LF's offset) it is what earlier reads kept
   * plus `data` up to `nl`; without one (-1) the rest of `data` is kept for the next read and this is
   * undefined.
   */
  private lineUpTo(data: Buffer, pos: number, nl: number): string | undefined {
    if (nl === -1) {
      this.line += data.toString('latin1', pos, data.length);
      return undefined;
    }
    const raw = this.line + data.toString('latin1', pos, nl);
    this.line = '';
    return raw;
  }

  private feedChunkSize(data: Buffer, pos: number): number {
    const nl = data.indexOf(LF, pos);
    const upto = nl === -1 ? data.length : nl;
    if (this.line.length + (upto - pos) > MAX_CHUNK_LINE)
      throw new UpstreamProtocolError('chunk size line too long');
    const raw = this.lineUpTo(data, pos, nl);
    if (raw === undefined) return data.length;
    if (!raw.endsWith('\r')) throw new UpstreamProtocolError('chunk size line not ended by CRLF');
    const semi = raw.indexOf(';');
    const hex = (semi === -1 ? raw.slice(0, -1) : raw.slice(0, semi)).trimEnd();
    if (!/^[0-9a-fA-F]{1,11}$/.test(hex)) throw new UpstreamProtocolError('invalid chunk size');
    const size = parseInt(hex, 16);
    if (size > MAX_CHUNK_SIZE) throw new UpstreamProtocolError('chunk too large');
    if (size === 0) {
      this.state = State.Trailers;
      this.trailerBytes = 0;
    } else {
      this.remaining = size;
      this.state = State.ChunkData;
    }
    return nl + 1;
  }

  /** Trailer fields after the last chunk are read and dropped, up to the blank line that ends the response. */
  private feedTrailers(data: Buffer, pos: number): number {
    const nl = data.indexOf(LF, pos);
    const upto = nl === -1 ? data.length : nl;
    this.trailerBytes += upto - pos;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw new UpstreamProtocolError('trailers too large');
    const raw = this.lineUpTo(data, pos, nl);
    if (raw === undefined) return data.length;
    if (!raw.endsWith('\r')) throw new UpstreamProtocolError('trailer line not ended by CRLF');
    if (raw === '\r') this.state = State.Done;
    return nl + 1;
  }
}
