// People of the tenant: search by name or external id, page through them, create one.
import { useState } from 'preact/hooks';
import { gql } from '../api';
import { navigate } from '../router';
import { ActionForm, ErrorNote, Table, Pager, SearchBox, Section, formatTime, useAction, useLoad, usePaging, type PageInfo } from '../ui';

interface PersonRow {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: string;
}
interface PeopleAnswer {
  people: { totalCount: number; pageInfo: PageInfo; edges: { node: PersonRow }[] };
}

const PEOPLE = `query People($first: Int, $after: String, $search: String) {
  people(first: $first, after: $after, search: $search) { totalCount pageInfo { endCursor hasNextPage } edges { node { id displayName externalId createdAt } } }
}`;

function CreatePerson() {
  const [displayName, setDisplayName] = useState('');
  const [externalId, setExternalId] = useState('');
  const action = useAction(async () => {
    const { createPerson } = await gql<{ createPerson: { id: string } }>('mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }', {
      input: { displayName, externalId: externalId.trim() || null },
    });
    navigate(`/people/${createPerson.id}`);
  });
  return (
    <Section title="Add a person">
      <ActionForm class="row" onSubmit={() => void action.run()}>
        <label>
          Display name
          <input name="displayName" required value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <label>
          External id (optional)
          <input name="externalId" value={externalId} onInput={(e) => setExternalId(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Create person
        </button>
      </ActionForm>
      <ErrorNote error={action.error} />
    </Section>
  );
}

export function PeoplePage({ canManage }: { canManage: boolean }) {
  const [search, setSearch] = useState('');
  const paging = usePaging();
  const list = useLoad(() => gql<PeopleAnswer>(PEOPLE, { first: 20, after: paging.after, search: search || null }), [paging.after, search]);
  const rows = list.data?.people.edges.map((e) => e.node) ?? [];
  return (
    <>
      {canManage ? <CreatePerson /> : null}
      <Section title="People">
        <SearchBox
          label="Search by name or exact external id"
          value={search}
          onSearch={(value) => {
            setSearch(value);
            paging.reset();
          }}
        />
        <ErrorNote error={list.error} />
        <Table head={['Name', 'External id', 'Created']} empty={!list.loading && rows.length === 0 && `No people${search ? ` match “${search}”` : ' yet'}.`}>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td>
                    <a href={`#/people/${p.id}`}>{p.displayName}</a>
                  </td>
                  <td>{p.externalId ?? '—'}</td>
                  <td>{formatTime(p.createdAt)}</td>
                </tr>
              ))}
              
            </Table>
        <Pager paging={paging} info={list.data?.people.pageInfo} total={list.data?.people.totalCount} />
      </Section>
    </>
  );
}
