import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from './workflow-names.js';

/**
 * The custom search attributes dcs-migrate sets on every migration workflow. The Temporal server must know them
 * before a workflow uses them: the local stack and the test harness register them at start, and
 * docker-compose's setup step creates them with `temporal operator search-attribute create`.
 * Values are never secrets: search attributes bypass the payload codec.
 */
export const DcsTaskId = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.taskId, SearchAttributeType.KEYWORD);
export const DcsRemoteStatus = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.remoteStatus,
  SearchAttributeType.KEYWORD,
);
export const DcsMigrationType = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.migrationType,
  SearchAttributeType.KEYWORD,
);
export const DcsPhase = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.phase, SearchAttributeType.KEYWORD);
/** The plan a workflow belongs to (issue 26): set on the plan workflow and on each of its items, to list a fleet. */
export const DcsPlan = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.plan, SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [DcsTaskId, DcsRemoteStatus, DcsMigrationType, DcsPhase, DcsPlan] as const;

/** `Name=Type` pairs as the `temporal` CLI spells them (`--search-attribute DcsPhase=Keyword`). */
export function searchAttributeCliSpecs(): string[] {
  const cliType: Record<string, string> = {
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.TEXT]: 'Text',
    [SearchAttributeType.INT]: 'Int',
    [SearchAttributeType.DOUBLE]: 'Double',
    [SearchAttributeType.BOOL]: 'Bool',
    [SearchAttributeType.DATETIME]: 'Datetime',
    [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  };
  return searchAttributeKeys.map((key) => `${key.name}=${cliType[key.type]}`);
}
