/**
 * The run's archive change log, pure. Node records change only in activities the run workflow
 * orchestrates: a generation writes its own node and may bar its parent, a decision writes the
 * decided node, the held-out test writes the scores of two. So the run workflow can number the
 * changes as it learns of them, and a worker that keeps the records it has read (Archive.listNodes
 * with a view) re-reads only what changed since, instead of every record of the run each generation.
 * The records stay the source of truth: a cache the log no longer covers is rebuilt from them.
 */

/** Changes the log keeps: a cache further behind than this reads the whole run again. */
export const ARCHIVE_LOG_WINDOW = 64;

/** [revision, node ids that changed]; null: something changed that the run cannot name (a failed generation). */
export type ArchiveChange = [number, string[] | null];

export interface ArchiveLog {
  /** Names this run's archive for the caches: a run started anew under a reused id gets a new epoch. */
  epoch: string;
  /** The number of changes so far. */
  revision: number;
  /** The latest changes, oldest first, at most ARCHIVE_LOG_WINDOW. */
  changes: ArchiveChange[];
}

/** What a generation tells the archive reader: the run's log when it started, and the nodes still being written. */
export interface ArchiveView extends ArchiveLog {
  /** Nodes of the generations running beside this one: written meanwhile, never in the log yet. */
  inFlight: string[];
}

export function newArchiveLog(epoch: string): ArchiveLog {
  return { epoch, revision: 0, changes: [] };
}

/** The log with one more change. */
export function noteChange(log: ArchiveLog, nodeIds: readonly string[] | null): ArchiveLog {
  const revision = log.revision + 1;
  const changes: ArchiveChange[] = [
    ...log.changes,
    [revision, nodeIds === null ? null : [...new Set(nodeIds)]],
  ];
  return { ...log, revision, changes: changes.slice(-ARCHIVE_LOG_WINDOW) };
}

/**
 * The node ids that changed after revision `since` (a cache's), or 'all' when the log no longer
 * reaches back that far or one of those changes is not itemised. A cache at or past the log's
 * revision has nothing to re-read from the log.
 */
export function changedSince(log: ArchiveLog, since: number): string[] | 'all' {
  if (since >= log.revision) return [];
  const oldest = log.changes[0]?.[0];
  if (oldest === undefined || oldest > since + 1) return 'all';
  const ids = new Set<string>();
  for (const [revision, nodeIds] of log.changes) {
    if (revision <= since) continue;
    if (nodeIds === null) return 'all';
    for (const id of nodeIds) ids.add(id);
  }
  return [...ids];
}
