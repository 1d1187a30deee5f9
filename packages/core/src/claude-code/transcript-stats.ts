import { type ReadTranscriptOptions, readTranscript, type TranscriptIssue } from './transcript-reader.js';

/** The four token counts of a total. */
export interface TokenTotals {
  /** Uncached input tokens. */
  input: number;
  output: number;
  /** Tokens written to the prompt cache (5-minute and 1-hour together). */
  cacheCreation: number;
  /** Tokens read from the prompt cache. */
  cacheRead: number;
}

/** What {@link summarizeTranscript} finds in one transcript file. */
export interface TranscriptSummary {
  file: string;
  /** API responses, each `(message.id, requestId)` counted once. */
  apiResponses: number;
  /** Token totals over those responses (largest figures of each response). */
  tokens: TokenTotals;
  /** The same totals per model id, exactly as written (`claude-haiku-4-5-20251001`). */
  perModel: Record<string, TokenTotals>;
  /** `tool_use` blocks (distinct ids). */
  toolUses: number;
  /** `tool_result` blocks (distinct `tool_use_id`s). */
  toolResults: number;
  /** `tool_result` blocks with `is_error: true`. */
  toolErrors: number;
  /** Lines that could not be read as a record (bad JSON, cut off, too long, not an object). */
  unparseableLines: number;
  /** Lines of a record type the reader does not know, by type. */
  unknownTypes: Record<string, number>;
  /** Assistant lines with model `<synthetic>` (API errors and notices Claude Code wrote itself). */
  syntheticMessages: number;
  /** The file's `sessionId` (a sub-agent file carries its parent's). */
  sessionId?: string;
  /** The sub-agent's id, for a sub-agent transcript. */
  agentId?: string;
}

/** Options of {@link summarizeTranscript}: those of `readTranscript` (issues are also counted). */
export type SummarizeOptions = ReadTranscriptOptions;

/**
 * Reads a whole transcript with `readTranscript` and counts API responses, tokens (overall and
 * per model), tool calls, tool results and errors, bad lines and unknown record types.
 *
 * @example
 * const s = await summarizeTranscript('~/.claude/projects/-home-me-app/491e126e.jsonl');
 * console.log(s.apiResponses, s.tokens.output, Object.keys(s.perModel));
 */
export async function summarizeTranscript(
  file: string,
  options: SummarizeOptions = {},
): Promise<TranscriptSummary> {
  const summary: TranscriptSummary = {
    file,
    apiResponses: 0,
    tokens: zeroTotals(),
    perModel: {},
    toolUses: 0,
    toolResults: 0,
    toolErrors: 0,
    unparseableLines: 0,
    unknownTypes: {},
    syntheticMessages: 0,
  };
  const onIssue = (issue: TranscriptIssue): void => {
    if (issue.kind === 'unparseable') summary.unparseableLines++;
    if (issue.kind === 'unknown-type') {
      const type = issue.recordType ?? '(none)';
      summary.unknownTypes[type] = (summary.unknownTypes[type] ?? 0) + 1;
    }
    options.onIssue?.(issue);
  };
  for await (const item of readTranscript(file, { ...options, onIssue })) {
    switch (item.kind) {
      case 'api_response': {
        summary.apiResponses++;
        addTotals(summary.tokens, item.usage);
        const perModel = summary.perModel[item.model] ?? zeroTotals();
        summary.perModel[item.model] = perModel;
        addTotals(perModel, item.usage);
        break;
      }
      case 'tool_use':
        summary.toolUses++;
        break;
      case 'tool_result':
        summary.toolResults++;
        if (item.isError) summary.toolErrors++;
        break;
      case 'synthetic_message':
        summary.syntheticMessages++;
        break;
      case 'session_info':
        if (item.sessionId !== undefined) summary.sessionId = item.sessionId;
        if (item.agentId !== undefined) summary.agentId = item.agentId;
        break;
      default:
        break;
    }
  }
  return summary;
}

function zeroTotals(): TokenTotals {
  return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
}

function addTotals(into: TokenTotals, usage: TokenTotals): void {
  into.input += usage.input;
  into.output += usage.output;
  into.cacheCreation += usage.cacheCreation;
  into.cacheRead += usage.cacheRead;
}
