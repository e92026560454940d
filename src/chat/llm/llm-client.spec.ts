import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  RateLimitError,
} from 'openai';
import { llmFailureReason } from './llm-client';

describe(llmFailureReason.name, () => {
  const headers = new Headers();
  it.each([
    [new APIConnectionTimeoutError(), 'the LLM did not answer in time'],
    [new APIConnectionError({ message: 'ECONNREFUSED' }), 'the LLM server could not be reached'],
    [
      new AuthenticationError(401, { error: 'bad key sk-secret' }, 'bad key sk-secret', headers),
      'the LLM server rejected our credentials (check the API key)',
    ],
    [
      new RateLimitError(429, { error: 'slow down' }, 'slow down', headers),
      'the LLM server answered with status 429',
    ],
    [
      APIError.generate(503, { error: 'upstream body' }, 'upstream body', headers),
      'the LLM server answered with status 503',
    ],
    [new Error('socket hang up'), 'the LLM request failed'],
  ])('says why without the upstream body or key: %s', (error, reason) => {
    expect(llmFailureReason(error)).toBe(reason);
    expect(llmFailureReason(error)).not.toMatch(/sk-secret|upstream body|slow down/);
  });
});
