// The platform admin's page: every tenant, searchable and paged; create one (its first ADMIN key
// is shown once), suspend, resume or delete it.
import { useState } from 'preact/hooks';
import { gql } from '../api';
import { ActionForm, ErrorNote, Table, Pager, SearchBox, SecretOnce, Section, formatTime, useAction, useLoad, usePaging, type PageInfo } from '../ui';

type Status = 'ACTIVE' | 'SUSPENDED' | 'DELETING' | 'DELETED';
interface TenantRow {
  id: string;
  name: string;
  slug: string;
  status: Status;
  createdAt: string;
}
interface TenantsAnswer {
  tenants: { totalCount: number; pageInfo: PageInfo; edges: { node: TenantRow }[] };
}

const TENANTS = `query Tenants($first: Int, $after: String, $search: String) {
  tenants(first: $first, after: $after, search: $search) { totalCount pageInfo { endCursor hasNextPage } edges { node { id name slug status createdAt } } }
}`;

const slugOf = (name: string) => name.toLowerCase().trim().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

function CreateTenant({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const action = useAction(async () => {
    const answer = await gql<{ createTenant: { tenant: { name: string }; secret: string } }>(
      'mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id name } secret } }',
      { input: { name, slug: slug || slugOf(name) } },
    );
    setCreated({ name: answer.createTenant.tenant.name, secret: answer.createTenant.secret });
    setName('');
    setSlug('');
    onCreated();
  });
  return (
    <Section title="Create a tenant">
      <ActionForm class="row" onSubmit={() => void action.run()}>
        <label>
          Name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Slug
          <input value={slug} placeholder={slugOf(name) || 'lowercase-and-dashes'} onInput={(e) => setSlug(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Create tenant
        </button>
      </ActionForm>
      <ErrorNote error={action.error} />
      {created ? <SecretOnce label={`First ADMIN key of ${created.name}`} secret={created.secret} /> : null}
    </Section>
  );
}

function TenantActions({ tenant, onChanged }: { tenant: TenantRow; onChanged: () => void }) {
  const action = useAction(async (mutation: 'suspendTenant' | 'resumeTenant' | 'deleteTenant') => {
    let input: Record<string, string> = { id: tenant.id };
    if (mutation === 'deleteTenant') {
      const typed = prompt(`Deleting ${tenant.name} removes all its people, faces and events. Type its slug (${tenant.slug}) to confirm.`);
      if (typed === null) return;
      input = { ...input, confirmSlug: typed };
    }
    await gql(`mutation($input: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { id status } }`, { input });
    onChanged();
  });
  const live = tenant.status === 'ACTIVE' || tenant.status === 'SUSPENDED';
  return (
    <td class="actions">
      {tenant.status === 'ACTIVE' ? (
        <button type="button" onClick={() => void action.run('suspendTenant')} disabled={action.busy}>
          Suspend
        </button>
      ) : null}
      {tenant.status === 'SUSPENDED' ? (
        <button type="button" onClick={() => void action.run('resumeTenant')} disabled={action.busy}>
          Resume
        </button>
      ) : null}
      {live ? (
        <button type="button" class="danger" onClick={() => void action.run('deleteTenant')} disabled={action.busy}>
          Delete
        </button>
      ) : null}
      <ErrorNote error={action.error} />
    </td>
  );
}

export function TenantsPage() {
  const [search, setSearch] = useState('');
  const paging = usePaging();
  const list = useLoad(() => gql<TenantsAnswer>(TENANTS, { first: 20, after: paging.after, search: search || null }), [paging.after, search]);
  const rows = list.data?.tenants.edges.map((e) => e.node) ?? [];
  return (
    <>
      <CreateTenant onCreated={list.reload} />
      <Section title="Tenants">
        <SearchBox
          label="Search by name or slug"
          value={search}
          onSearch={(value) => {
            setSearch(value);
            paging.reset();
          }}
        />
        <ErrorNote error={list.error} />
        <Table head={['Name', 'Slug', 'Status', 'Created', 'Actions']} empty={!list.loading && rows.length === 0 && `No tenants${search ? ` match “${search}”` : ''}.`}>
              {rows.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.slug}</code>
                  </td>
                  <td>
                    <span class={`badge ${t.status.toLowerCase()}`}>{t.status}</span>
                  </td>
                  <td>{formatTime(t.createdAt)}</td>
                  <TenantActions tenant={t} onChanged={list.reload} />
                </tr>
              ))}
              
            </Table>
        <Pager paging={paging} info={list.data?.tenants.pageInfo} total={list.data?.tenants.totalCount} />
      </Section>
    </>
  );
}
