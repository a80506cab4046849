// Recognition history: filter by person, decision, source and time; page through; export as CSV
// (the same filter, fetched with the Bearer key, never with the key in the URL).
import { useState } from 'preact/hooks';
import { downloadCsv, gql } from '../api';
import { ActionForm, ErrorNote, Table, Pager, Section, formatNumber, formatTime, useAction, useLoad, usePaging, type PageInfo } from '../ui';

interface EventRow {
  id: string;
  createdAt: string;
  decision: string;
  distance: number | null;
  source: string | null;
  latencyMs: number;
  person: { id: string; displayName: string } | null;
}
interface EventsAnswer {
  recognitionEvents: { totalCount: number; pageInfo: PageInfo; edges: { node: EventRow }[] };
}
interface Filter {
  personId: string;
  decision: string;
  source: string;
  from: string;
  to: string;
}

const EVENTS = `query Events($first: Int, $after: String, $filter: RecognitionEventFilter) {
  recognitionEvents(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { endCursor hasNextPage } edges { node { id createdAt decision distance source latencyMs person { id displayName } } }
  }
}`;
const PEOPLE = `{ people(first: 100) { edges { node { id displayName } } } }`;

/** The form's values as the API's filter: empty fields are left out, local times become ISO. */
function apiFilter(f: Filter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.personId) out.personId = f.personId;
  if (f.decision) out.decision = f.decision;
  if (f.source.trim()) out.source = f.source.trim();
  if (f.from) out.from = new Date(f.from).toISOString();
  if (f.to) out.to = new Date(f.to).toISOString();
  return out;
}

const EMPTY: Filter = { personId: '', decision: '', source: '', from: '', to: '' };

export function HistoryPage() {
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const paging = usePaging();
  const people = useLoad(() => gql<{ people: { edges: { node: { id: string; displayName: string } }[] } }>(PEOPLE), []);
  const list = useLoad(() => gql<EventsAnswer>(EVENTS, { first: 25, after: paging.after, filter: apiFilter(filter) }), [paging.after, filter]);
  const exportCsv = useAction(() => downloadCsv('/export/recognition-events.csv', new URLSearchParams(apiFilter(filter))));
  const set = (key: keyof Filter) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
  const rows = list.data?.recognitionEvents.edges.map((e) => e.node) ?? [];
  return (
    <Section
      title="Recognition history"
      actions={
        <button type="button" onClick={() => void exportCsv.run()} disabled={exportCsv.busy}>
          Export CSV
        </button>
      }
    >
      <ActionForm
        class="row filters"
        onSubmit={() => {
          setFilter(draft);
          paging.reset();
        }}
      >
        <label>
          Person
          <select value={draft.personId} onChange={set('personId')}>
            <option value="">Anyone</option>
            {people.data?.people.edges.map(({ node }) => (
              <option key={node.id} value={node.id}>
                {node.displayName}
              </option>
            ))}
          </select>
        </label>
        <label>
          Decision
          <select value={draft.decision} onChange={set('decision')}>
            <option value="">Any</option>
            <option value="MATCH">MATCH</option>
            <option value="UNKNOWN">UNKNOWN</option>
            <option value="NO_FACE">NO_FACE</option>
          </select>
        </label>
        <label>
          Source
          <input value={draft.source} onInput={set('source')} />
        </label>
        <label>
          From
          <input type="datetime-local" value={draft.from} onInput={set('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" value={draft.to} onInput={set('to')} />
        </label>
        <button type="submit">Apply filter</button>
      </ActionForm>
      <ErrorNote error={list.error ?? people.error ?? exportCsv.error} />
      <Table head={['Time', 'Person', 'Decision', 'Distance', 'Source', 'Latency (ms)']} empty={!list.loading && rows.length === 0 && `No recognition events match.`} testId="history">
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{formatTime(r.createdAt)}</td>
                <td>{r.person ? <a href={`#/people/${r.person.id}`}>{r.person.displayName}</a> : '—'}</td>
                <td>
                  <span class={`badge ${r.decision.toLowerCase()}`}>{r.decision}</span>
                </td>
                <td>{formatNumber(r.distance)}</td>
                <td>{r.source ?? '—'}</td>
                <td>{r.latencyMs.toFixed(0)}</td>
              </tr>
            ))}
            
          </Table>
      <Pager paging={paging} info={list.data?.recognitionEvents.pageInfo} total={list.data?.recognitionEvents.totalCount} />
    </Section>
  );
}
