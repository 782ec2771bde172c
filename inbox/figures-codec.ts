import type { Durations } from './stats';

/**
 * Compact binary forms of recorded responses and of their pre-aggregated figures. The embedded store (FerretDB 1.24)
 * pays about 18 µs for every BSON value it decodes, so a day of figures stored as nested arrays of numbers takes
 * seconds to read; the same figures as one binary value take milliseconds. Integers are unsigned LEB128 varints
 * (written with arithmetic, not bit operations, so values up to 2^53 survive).
 */

/** A recorded response, as the figures need it. */
export interface ResponseFact {
  messageId: string;
  channel: string;
  agentId: string;
  kind: 'first' | 'reply';
  respondedAt: number;
  durationMs: number;
  withinTarget: boolean | null;
}

/** One channel's and one agent's figures over a bucket of time. */
export interface FiguresPart {
  channel: string;
  agentId: string;
  first: Durations;
  reply: Durations;
  slaMet: number;
  slaBreached: number;
}

class Writer {
  private bytes: number[] = [];

  uint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`figures codec: ${n} is not a non-negative integer`);
    let v = n;
    while (v >= 128) {
      this.bytes.push((v % 128) + 128);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
    return this;
  }

  text(s: string): this {
    const encoded = Buffer.from(s, 'utf8');
    this.uint(encoded.length);
    for (const b of encoded) this.bytes.push(b);
    return this;
  }

  done(): Buffer {
    return Buffer.from(this.bytes);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  get more(): boolean {
    return this.at < this.buf.length;
  }

  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error('figures codec: truncated value');
      n += (b % 128) * scale;
      if (b < 128) return n;
      scale *= 128;
    }
  }

  text(): string {
    const length = this.uint();
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.at, length).toString('utf8');
    this.at += length;
    return s;
  }
}

const kinds = ['reply', 'first'] as const;
const targetCode = (t: boolean | null) => (t === null ? 0 : t ? 2 : 1);
const targetOf = (code: number) => (code === 0 ? null : code === 2);

export function encodeFacts(facts: readonly ResponseFact[]): Buffer {
  const w = new Writer();
  for (const f of facts) {
    w.text(f.messageId)
      .text(f.channel)
      .text(f.agentId)
      .uint(f.kind === 'first' ? 1 : 0)
      .uint(f.respondedAt)
      .uint(f.durationMs)
      .uint(targetCode(f.withinTarget));
  }
  return w.done();
}

export function decodeFacts(buf: Uint8Array): ResponseFact[] {
  const r = new Reader(buf);
  const facts: ResponseFact[] = [];
  while (r.more) {
    facts.push({
      messageId: r.text(),
      channel: r.text(),
      agentId: r.text(),
      kind: kinds[r.uint()] ?? 'reply',
      respondedAt: r.uint(),
      durationMs: r.uint(),
      withinTarget: targetOf(r.uint()),
    });
  }
  return facts;
}

function writeDurations(w: Writer, d: Durations): void {
  w.uint(d.count)
    .uint(d.sumMs)
    .uint(d.maxMs === null ? 0 : d.maxMs + 1);
  w.uint(d.hist.length);
  let previous = 0;
  for (const [bucket, n] of d.hist) {
    w.uint(bucket - previous).uint(n);
    previous = bucket;
  }
  if (d.values === null) {
    w.uint(0);
    return;
  }
  w.uint(d.values.length + 1);
  let last = 0;
  for (const v of d.values) {
    w.uint(v - last);
    last = v;
  }
}

function readDurations(r: Reader): Durations {
  const count = r.uint();
  const sumMs = r.uint();
  const max = r.uint();
  const hist: [number, number][] = [];
  let bucket = 0;
  for (let i = r.uint(); i > 0; i--) {
    bucket += r.uint();
    hist.push([bucket, r.uint()]);
  }
  const n = r.uint();
  let values: number[] | null = null;
  if (n > 0) {
    values = [];
    let last = 0;
    for (let i = 1; i < n; i++) {
      last += r.uint();
      values.push(last);
    }
  }
  return { count, sumMs, maxMs: max === 0 ? null : max - 1, hist, values };
}

export function encodeParts(parts: readonly FiguresPart[]): Buffer {
  const w = new Writer();
  for (const p of parts) {
    w.text(p.channel).text(p.agentId).uint(p.slaMet).uint(p.slaBreached);
    writeDurations(w, p.first);
    writeDurations(w, p.reply);
  }
  return w.done();
}

export function decodeParts(buf: Uint8Array): FiguresPart[] {
  const r = new Reader(buf);
  const parts: FiguresPart[] = [];
  while (r.more) {
    const channel = r.text();
    const agentId = r.text();
    const slaMet = r.uint();
    const slaBreached = r.uint();
    parts.push({ channel, agentId, slaMet, slaBreached, first: readDurations(r), reply: readDurations(r) });
  }
  return parts;
}
