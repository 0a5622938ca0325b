/**
 * An exact JSON reader for the consumer. `lossless-json` keeps big numbers but refuses a body
 * with a duplicate key, and the platform parser accepts duplicates but rounds 64-bit ids; 百应's
 * Java stack (Jackson) reads duplicates with the last one winning, so bodies with them exist and
 * must be read without losing digits. This reader does both: numbers a JS number cannot hold
 * exactly become LosslessNumber, a repeated key keeps its last value and is reported, and every
 * key — `__proto__` and `constructor` included — becomes an own data property.
 *
 * Nesting depth is bounded by the caller (json.ts checks it before parsing), so the recursion
 * here stays shallow.
 */
import { isSafeNumber, LosslessNumber } from 'lossless-json';

export interface ExactParseNotes {
  /** Keys that appeared more than once in one object, by dotted path (`a.b.key`). */
  readonly duplicateKeys: string[];
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class Reader {
  private at = 0;

  constructor(
    private readonly text: string,
    readonly notes: ExactParseNotes,
  ) {}

  fail(expected: string): never {
    const found = this.at >= this.text.length ? 'the end of the text' : `"${this.text[this.at]}"`;
    throw new SyntaxError(`expected ${expected} at position ${this.at}, found ${found}`);
  }

  skip(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  document(): unknown {
    const value = this.value('');
    this.skip();
    if (this.at < this.text.length) this.fail('the end of the text');
    return value;
  }

  value(path: string): unknown {
    this.skip();
    const ch = this.text.charCodeAt(this.at);
    if (ch === 0x7b) return this.object(path);
    if (ch === 0x5b) return this.array(path);
    if (ch === 0x22) return this.string();
    if (this.text.startsWith('true', this.at)) return this.literal(4, true);
    if (this.text.startsWith('false', this.at)) return this.literal(5, false);
    if (this.text.startsWith('null', this.at)) return this.literal(4, null);
    return this.number();
  }

  private literal<T>(length: number, value: T): T {
    this.at += length;
    return value;
  }

  private number(): number | LosslessNumber {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('a JSON value');
    this.at = NUMBER.lastIndex;
    const digits = match[0];
    return isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits);
  }

  string(): string {
    const start = this.at;
    let end = start + 1;
    let escaped = false;
    for (;;) {
      const ch = this.text.charCodeAt(end);
      if (Number.isNaN(ch)) this.fail('the end of a string');
      if (ch === 0x22) break;
      if (ch < 0x20) {
        this.at = end;
        this.fail('a character allowed in a string');
      }
      if (ch === 0x5c) {
        escaped = true;
        end++;
      }
      end++;
    }
    this.at = end + 1;
    // Escapes are rare in 百应 bodies; the platform decodes them exactly when there are some.
    return escaped
      ? (JSON.parse(this.text.slice(start, end + 1)) as string)
      : this.text.slice(start + 1, end);
  }

  private object(path: string): Record<string, unknown> {
    this.at++;
    const out: Record<string, unknown> = {};
    this.skip();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text.charCodeAt(this.at) !== 0x22) this.fail('a key in quotes');
      const key = this.string();
      this.skip();
      if (this.text.charCodeAt(this.at) !== 0x3a) this.fail('":"');
      this.at++;
      const keyPath = path === '' ? key : `${path}.${key}`;
      const value = this.value(keyPath);
      if (Object.hasOwn(out, key)) this.notes.duplicateKeys.push(keyPath);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skip();
      const next = this.text.charCodeAt(this.at++);
      if (next === 0x7d) return out;
      if (next !== 0x2c) {
        this.at--;
        this.fail('"," or "}"');
      }
    }
  }

  private array(path: string): unknown[] {
    this.at++;
    const out: unknown[] = [];
    this.skip();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value(`${path}[${out.length}]`));
      this.skip();
      const next = this.text.charCodeAt(this.at++);
      if (next === 0x5d) return out;
      if (next !== 0x2c) {
        this.at--;
        this.fail('"," or "]"');
      }
    }
  }
}

/** Parses JSON exactly; throws SyntaxError on text that is not JSON. */
export const parseExact = (text: string): { value: unknown; notes: ExactParseNotes } => {
  const notes: ExactParseNotes = { duplicateKeys: [] };
  return { value: new Reader(text, notes).document(), notes };
};
