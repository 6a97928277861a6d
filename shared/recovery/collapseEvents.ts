import type { JsonObject } from '../formats/json/inspectJson.ts';
import type { EventRow } from './sampleBuffer.ts';

/**
 * The logical events of a sample from its insert-only rows.
 *
 * An event that changes (a pending model call that resolves) is inserted again under the same
 * event_id: the latest row (highest row id) wins, at the position of the first. Rows without an
 * event_id stand for themselves.
 */
export function collapseEvents(rows: ReadonlyArray<EventRow>): JsonObject[] {
  const ordered = [...rows].sort((a, b) => a.rowId - b.rowId);
  const positions = new Map<string, number>();
  const events: JsonObject[] = [];
  for (const row of ordered) {
    if (row.eventId === null) {
      events.push(row.event);
      continue;
    }
    const position = positions.get(row.eventId);
    if (position === undefined) {
      positions.set(row.eventId, events.length);
      events.push(row.event);
    } else {
      events[position] = row.event;
    }
  }
  return events;
}
