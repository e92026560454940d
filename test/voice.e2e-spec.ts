import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { interactiveCli, runCli, scratchDir } from './support/processes';
import { FakeLlm } from './support/fake-llm-server';

/** A short valid WAV file: 0.1 s of silence, 16 kHz mono. */
function wav(): Buffer {
  const samples = 1600;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/** `factory-agent voice` against the fake OpenAI-compatible server's audio endpoints. */
describe('factory-agent voice', () => {
  const llm = new FakeLlm();
  let dir: string;
  let cleanup: () => void;
  let env: Record<string, string>;
  const voice = (...args: string[]) => runCli(['voice', ...args], { cwd: dir, env });

  beforeAll(() => llm.start());
  afterAll(() => llm.stop());
  beforeEach(async () => {
    ({ dir, cleanup } = scratchDir());
    env = { DATABASE_URL: `file:${join(dir, 'factory.db')}`, OPENAI_BASE_URL: `${llm.url}/v1` };
    await runCli(['setup', '--days', '5', '--end-date', '2026-03-05'], { cwd: dir, env });
    writeFileSync(join(dir, 'question.wav'), wav());
    llm.transcription = { text: 'What was OEE on CNC-001 this week?' };
  });
  afterEach(() => cleanup());

  it('transcribes a WAV question, answers with the tools, and saves the spoken answer', async () => {
    llm.reply(
      {
        toolCalls: [
          {
            name: 'calculate_oee',
            arguments:
              '{"start_date":"2026-03-01","end_date":"2026-03-05","machine_name":"CNC-001"}',
          },
        ],
      },
      { content: 'OEE on CNC-001 was 68.2%.' },
    );
    const result = await voice('--input', 'question.wav', '--output', 'answer.mp3');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('You: What was OEE on CNC-001 this week?');
    expect(result.stdout).toContain('[tool] calculate_oee(');
    expect(result.stdout).toContain('Assistant: OEE on CNC-001 was 68.2%.');
    expect(readFileSync(join(dir, 'answer.mp3'))).toEqual(llm.speech);

    const [upload] = llm.audio('transcriptions');
    expect(upload.path).toBe('/v1/audio/transcriptions');
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = upload.raw.toString('latin1');
    expect(body).toMatch(/name="model"\r\n\r\nwhisper-1\r\n/);
    expect(body).toMatch(/name="file"; filename="question.wav"/);
    expect(upload.raw.includes(wav())).toBe(true);

    const [speech] = llm.audio('speech');
    expect(speech.body).toMatchObject({
      model: 'tts-1',
      voice: 'alloy',
      input: 'OEE on CNC-001 was 68.2%.',
    });
    // The transcript went to the chat agent as the question.
    expect(llm.completions[0].body.messages.at(-1)).toEqual({
      role: 'user',
      content: 'What was OEE on CNC-001 this week?',
    });
  });

  it('skips speech with --no-speak, and uses VOICE_* settings', async () => {
    llm.reply({ content: 'Fine.' });
    env = {
      ...env,
      VOICE_STT_MODEL: 'whisper-large',
      VOICE_TTS_MODEL: 'tts-hd',
      VOICE_NAME: 'nova',
    };
    const result = await voice('--input', 'question.wav', '--no-speak');
    expect(result.code).toBe(0);
    expect(llm.audio('speech')).toHaveLength(0);
    expect(llm.audio('transcriptions')[0].raw.toString('latin1')).toContain('whisper-large');
  });

  it.each<[string, () => string[], RegExp]>([
    [
      'an unsupported format',
      () => (writeFileSync(join(dir, 'q.txt'), 'hello'), ['--input', 'q.txt']),
      /^Error: Unsupported audio format "\.txt"/,
    ],
    [
      'an empty file',
      () => (writeFileSync(join(dir, 'empty.wav'), ''), ['--input', 'empty.wav']),
      /^Error: The audio file empty\.wav is empty/,
    ],
    [
      'a file over 25 MB',
      () => {
        writeFileSync(join(dir, 'long.wav'), wav());
        truncateSync(join(dir, 'long.wav'), 26 * 1024 * 1024);
        return ['--input', 'long.wav'];
      },
      /^Error: The audio file long\.wav is 26\.0 MB; the provider accepts at most 25 MB/,
    ],
    [
      'a missing file',
      () => ['--input', 'nowhere.wav'],
      /^Error: Cannot read nowhere\.wav: no such file/,
    ],
  ])('exits 1 with one line for %s, before calling the provider', async (_name, args, message) => {
    llm.reply({ content: 'unused' });
    const result = await voice(...args());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(llm.audio('transcriptions')).toHaveLength(0);
  });

  it('exits 1 when no speech was recognised', async () => {
    llm.reply({ content: 'unused' });
    llm.transcription = { text: '  ' };
    const result = await voice('--input', 'question.wav');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: No speech was recognised/);
  });

  it('exits 1 when the provider fails', async () => {
    llm.reply({ content: 'unused' });
    llm.transcription = { status: 500 };
    const result = await voice('--input', 'question.wav');
    expect(result.code).toBe(1);
    // The client's warning comes first, on stderr too: stdout stays the command's own output.
    expect(result.stderr).toMatch(
      /(^|\n)Error: The assistant is unavailable: the LLM server answered with status 500\. Try again later\.\n$/,
    );
    expect(result.stderr).not.toContain('upstream details');
    expect(result.stdout).not.toContain('WARN');
  });

  it('exits 1 when no LLM is configured', async () => {
    const result = await runCli(['voice', '--input', 'question.wav'], {
      cwd: dir,
      env: { DATABASE_URL: env.DATABASE_URL },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: No LLM is configured/);
  });

  it('says which recorder to install when there is none (and no --input)', async () => {
    // An empty PATH: no arecord, no rec. A typed empty line asks for a recording.
    const result = await runCli(['voice'], { cwd: dir, env: { ...env, PATH: dir }, stdin: '\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: No audio recorder found: install alsa-utils \(arecord\) or sox \(rec\), or pass a file with --input/,
    );
  });

  it('answers typed questions in a conversation until exit', async () => {
    llm.reply({ content: 'First.' }, { content: 'Second.' });
    const cli = interactiveCli(['voice', '--no-speak'], { cwd: dir, env });
    await cli.waitFor('(exit to leave): ');
    cli.type('How many machines?');
    await cli.waitFor('Assistant: First.');
    cli.type('And shifts?');
    await cli.waitFor('Assistant: Second.');
    cli.type('exit');
    expect(await cli.closed).toBe(0);
    expect(llm.completions[1].body.messages.map((m: { role: string }) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ]);
  });
});
