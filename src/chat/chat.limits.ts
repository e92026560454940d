/** Limits on what a client sends to the chat. */
export const CHAT_LIMITS = {
  messageChars: 2_000,
  historyMessages: 50,
  historyChars: 50_000,
  userChars: 2_000,
  assistantChars: 20_000,
} as const;

/** 2000 -> "2,000": limits as the descriptions and messages print them. */
export const thousands = (value: number) => value.toLocaleString('en-US');
