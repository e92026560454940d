import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';

/** A place in the file: line and column from 1 (columns count characters, not bytes). */
export interface TextPosition {
  line: number;
  column: number;
}

/** Where the scanner found the file not to be JSON, and why. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    at: TextPosition,
    /** JSON, but a list rather than an object. */
    readonly notAnObject = false,
    /** `at` is where the faulty value starts (the parser did not say where inside it). */
    valueStart = false,
  ) {
    super(`${message} ${valueStart ? 'starting ' : ''}at line ${at.line}, column ${at.column}`);
  }
}

/** The position reached after `text`, read from `from`. */
function advance(from: TextPosition, text: string): TextPosition {
  const lines = text.split('\n');
  return lines.length === 1
    ? { line: from.line, column: from.column + text.length }
    : { line: from.line + lines.length - 1, column: lines[lines.length - 1].length };
}

/**
 * The text of UTF-8 bytes. Most files are ASCII, where Latin-1 gives the same text about four times
 * faster than UTF-8 decoding, which checks every byte sequence.
 */
function decoded(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** A member of the root object (level 1) or of the object under the streamed key (level 2). */
export interface JsonEntry {
  level: 1 | 2;
  key: string;
  value: unknown;
}

type Mode = 'start' | 'key' | 'in-key' | 'colon' | 'value' | 'in-value' | 'next' | 'done';

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const [QUOTE, BACKSLASH, COLON, COMMA] = [0x22, 0x5c, 0x3a, 0x2c];
const [OPEN_OBJECT, CLOSE_OBJECT, OPEN_LIST, CLOSE_LIST] = [0x7b, 0x7d, 0x5b, 0x5d];
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * Reads a file holding one JSON object a chunk at a time and yields its members, and one by one
 * the members of the object under `streamedKey`, each parsed on its own: a file of any size is
 * read in bounded memory (one member at a time). `keep` says which members are parsed and
 * yielded; the others are only checked for well-formedness and skipped. The whole file is checked:
 * anything that is not JSON throws JsonSyntaxError with its line and column.
 */
export async function* jsonEntries(
  file: string,
  streamedKey: string,
  keep: { level1: boolean; level2: boolean },
  seen: { streamed: boolean } = { streamed: false },
  chunkBytes = 1 << 20,
): AsyncGenerator<JsonEntry> {
  const scanner = new Scanner(streamedKey, keep);
  for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes })) {
    yield* scanner.feed(chunk as Buffer);
  }
  scanner.end();
  seen.streamed = scanner.streamedSeen;
}

class Scanner {
  private mode: Mode = 'start';
  private level: 1 | 2 = 1;
  private offset = 0;
  /** The character being read: its line, and its column (0 before the first of a line). */
  private line = 1;
  private column = 0;
  /** Where the value being read starts. */
  private valueAt: TextPosition = { line: 1, column: 1 };
  private key = '';
  private keyParts: Buffer[] = [];
  streamedSeen = false;
  // The value being read: its bytes (when kept), nesting depth and string state.
  private parts: Buffer[] = [];
  private keeping = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private memberCount = 0;

  constructor(
    private readonly streamedKey: string,
    private readonly keep: { level1: boolean; level2: boolean },
  ) {}

  *feed(chunk: Buffer): Generator<JsonEntry> {
    let i = 0;
    let valueStart = 0;
    while (i < chunk.length) {
      if (this.mode === 'in-value' && !this.scalar) {
        // Most of a file is inside values: read on through this one without leaving the loop.
        const last = this.nestedValueEnd(chunk, i);
        if (last < 0) break;
        if (this.keeping) this.parts.push(chunk.subarray(valueStart, last + 1));
        yield* this.finishValue();
        i = last + 1;
        continue;
      }
      const byte = chunk[i];
      const at = this.offset + i;
      const before = this.position;
      this.count(byte);
      switch (this.mode) {
        case 'in-value':
          // A number, true, false or null ends at the byte after it, which is read again.
          if (WHITESPACE.has(byte) || byte === COMMA || byte === CLOSE_OBJECT) {
            if (this.keeping) this.parts.push(chunk.subarray(valueStart, i));
            yield* this.finishValue();
            ({ line: this.line, column: this.column } = before);
            continue;
          }
          break;
        case 'in-key':
          if (this.escaped) this.escaped = false;
          else if (byte === BACKSLASH) this.escaped = true;
          else if (byte === QUOTE) {
            this.keyParts.push(chunk.subarray(valueStart, i + 1));
            this.key = JSON.parse(Buffer.concat(this.keyParts).toString('utf8')) as string;
            this.keyParts = [];
            this.mode = 'colon';
          }
          break;
        default:
          if (WHITESPACE.has(byte)) break;
          // Files saved by some Windows editors start with a byte order mark.
          if (this.mode === 'start' && at < 3 && byte === BYTE_ORDER_MARK[at]) break;
          if (this.mode === 'value' && byte === OPEN_OBJECT && this.entersStreamed()) {
            this.level = 2;
            this.memberCount = 0;
            this.mode = 'key';
            break;
          }
          if (this.mode === 'value') {
            this.startValue(byte);
            valueStart = i;
            this.mode = 'in-value';
            break;
          }
          this.structural(byte);
          if ((this.mode as Mode) === 'in-key') valueStart = i;
      }
      i++;
    }
    if (this.mode === 'in-value' && this.keeping) this.parts.push(chunk.subarray(valueStart));
    if (this.mode === 'in-key') this.keyParts.push(chunk.subarray(valueStart));
    this.offset += chunk.length;
  }

  /** At the end of the file: the root object must be complete (a bare number cannot be). */
  end(): void {
    if (this.mode !== 'done') {
      throw new JsonSyntaxError('Unexpected end of the file', {
        line: this.line,
        column: this.column + 1,
      });
    }
  }

  /** Moves the position past a byte: a new line, or a new character (not a UTF-8 continuation). */
  private count(byte: number): void {
    if (byte === 0x0a) {
      this.line++;
      this.column = 0;
    } else if ((byte & 0xc0) !== 0x80) this.column++;
  }

  private get position(): TextPosition {
    return { line: this.line, column: this.column };
  }

  private entersStreamed(): boolean {
    if (this.level !== 1 || this.key !== this.streamedKey) return false;
    if (this.streamedSeen) {
      throw new JsonSyntaxError(`"${this.streamedKey}" appears twice`, this.position);
    }
    this.streamedSeen = true;
    return true;
  }

  /** Punctuation between members: braces, quotes of keys, colons and commas. */
  private structural(byte: number): void {
    const fail = (expected: string) => {
      throw new JsonSyntaxError(
        `Expected ${expected}, found ${JSON.stringify(String.fromCharCode(byte))}`,
        this.position,
      );
    };
    switch (this.mode) {
      case 'start':
        if (byte === OPEN_LIST) {
          throw new JsonSyntaxError('A list, not an object', this.position, true);
        }
        if (byte !== OPEN_OBJECT) fail('"{" (a JSON object)');
        this.mode = 'key';
        this.memberCount = 0;
        return;
      case 'key':
        if (byte === QUOTE) this.mode = 'in-key';
        else if (byte === CLOSE_OBJECT && this.memberCount === 0) this.closeObject();
        else fail('a quoted key');
        return;
      case 'colon':
        if (byte !== COLON) fail('":"');
        this.mode = 'value';
        return;
      case 'next':
        if (byte === COMMA) this.mode = 'key';
        else if (byte === CLOSE_OBJECT) this.closeObject();
        else fail('"," or "}"');
        return;
      case 'done':
        fail('the end of the file');
    }
  }

  private closeObject(): void {
    if (this.level === 2) {
      this.level = 1;
      this.memberCount++;
      this.mode = 'next';
    } else {
      this.mode = 'done';
    }
  }

  private startValue(byte: number): void {
    this.valueAt = this.position;
    this.keeping = this.level === 1 ? this.keep.level1 : this.keep.level2;
    this.parts = [];
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = false;
    if (byte === OPEN_OBJECT || byte === OPEN_LIST) this.depth = 1;
    else if (byte === QUOTE) this.inString = true;
    else if (byte === CLOSE_OBJECT || byte === CLOSE_LIST || byte === COMMA || byte === COLON) {
      throw new JsonSyntaxError('Expected a value', this.position);
    } else this.scalar = true;
  }

  /**
   * Reads a string, list or object value on from `from`: the index of its last byte, or -1 when it
   * goes on past the chunk. One tight loop over the bytes, the state in locals: nearly every byte
   * of a file passes here.
   */
  private nestedValueEnd(chunk: Buffer, from: number): number {
    let { line, column, depth, inString, escaped } = this;
    let last = -1;
    for (let i = from; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x0a) {
        line++;
        column = 0;
      } else if ((byte & 0xc0) !== 0x80) column++;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) {
          inString = false;
          if (depth === 0) {
            last = i;
            break;
          }
        }
      } else if (byte === QUOTE) inString = true;
      else if (byte === OPEN_OBJECT || byte === OPEN_LIST) depth++;
      else if ((byte === CLOSE_OBJECT || byte === CLOSE_LIST) && --depth === 0) {
        last = i;
        break;
      }
    }
    Object.assign(this, { line, column, depth, inString, escaped });
    return last;
  }

  private *finishValue(): Generator<JsonEntry> {
    this.mode = 'next';
    this.memberCount++;
    if (!this.keeping) return;
    const text = decoded(Buffer.concat(this.parts));
    this.parts = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // V8 names the place as "position N" (characters into the value) in some messages; others
      // quote the value, which may be long.
      const message = (error as Error).message;
      const inside = /position (\d+)/.exec(message);
      const reason = message
        .replace(/ in JSON at position \d+.*$/s, '')
        .replace(/, ".*" is not valid JSON$/s, '');
      const start = { line: this.valueAt.line, column: this.valueAt.column - 1 };
      throw new JsonSyntaxError(
        `${reason} in the value of ${JSON.stringify(this.key)}`,
        inside ? advance(start, text.slice(0, Number(inside[1]) + 1)) : this.valueAt,
        false,
        !inside,
      );
    }
    yield { level: this.level, key: this.key, value };
  }
}
