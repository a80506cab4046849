// The tenant's API keys (ADMIN): create one (secret shown once), revoke, rotate with a grace period.
import { useState } from 'preact/hooks';
import { gql } from '../api';
import { ActionForm, ErrorNote, Table, Pager, SecretOnce, Section, formatTime, useAction, useLoad, usePaging, type PageInfo } from '../ui';

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
}
interface KeysAnswer {
  apiKeys: { totalCount: number; pageInfo: PageInfo; edges: { node: KeyRow }[] };
}
const KEYS = `query Keys($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { id name prefix role createdAt lastUsedAt revokedAt expiresAt } } }
}`;

const ROLES = ['ADMIN', 'OPERATOR', 'CLIENT', 'VIEWER'] as const;

export function KeysPage() {
  const paging = usePaging();
  const list = useLoad(() => gql<KeysAnswer>(KEYS, { first: 20, after: paging.after }), [paging.after]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('CLIENT');
  const [expires, setExpires] = useState('');
  const [shown, setShown] = useState<{ label: string; secret: string } | null>(null);
  const create = useAction(async () => {
    const { createApiKey } = await gql<{ createApiKey: { apiKey: { name: string }; secret: string } }>(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id name } secret } }',
      { input: { name, role, expiresAt: expires ? new Date(expires).toISOString() : null } },
    );
    setShown({ label: `Secret of “${createApiKey.apiKey.name}”`, secret: createApiKey.secret });
    setName('');
    list.reload();
  });
  const revoke = useAction(async (key: KeyRow) => {
    if (!confirm(`Revoke “${key.name}”? Anything using it stops working at once.`)) return;
    await gql('mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { id } }', { input: { id: key.id } });
    list.reload();
  });
  const rotate = useAction(async (key: KeyRow) => {
    const answer = prompt(`Rotate “${key.name}”: for how many minutes should the old secret keep working (0 to 10080)?`, '60');
    if (answer === null) return;
    const { rotateApiKey } = await gql<{ rotateApiKey: { secret: string } }>('mutation($input: RotateApiKeyInput!) { rotateApiKey(input: $input) { apiKey { id } secret } }', {
      input: { id: key.id, graceMinutes: Number(answer) },
    });
    setShown({ label: `New secret of “${key.name}”`, secret: rotateApiKey.secret });
    list.reload();
  });
  const rows = list.data?.apiKeys.edges.map((e) => e.node) ?? [];
  return (
    <>
      <Section title="Create an API key">
        <ActionForm class="row" onSubmit={() => void create.run()}>
          <label>
            Name
            <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Expires (optional)
            <input type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={create.busy}>
            Create key
          </button>
        </ActionForm>
        <ErrorNote error={create.error} />
        {shown ? <SecretOnce label={shown.label} secret={shown.secret} /> : null}
      </Section>
      <Section title="API keys">
        <ErrorNote error={list.error ?? revoke.error ?? rotate.error} />
        <Table head={['Name', 'Prefix', 'Role', 'Last used', 'State', 'Actions']}>
              {rows.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}</code>
                  </td>
                  <td>{k.role}</td>
                  <td>{formatTime(k.lastUsedAt)}</td>
                  <td>{k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : k.expiresAt ? `expires ${formatTime(k.expiresAt)}` : 'active'}</td>
                  <td class="actions">
                    {k.revokedAt ? null : (
                      <>
                        <button type="button" onClick={() => void rotate.run(k)}>
                          Rotate
                        </button>
                        <button type="button" class="danger" onClick={() => void revoke.run(k)}>
                          Revoke
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
        <Pager paging={paging} info={list.data?.apiKeys.pageInfo} total={list.data?.apiKeys.totalCount} />
      </Section>
    </>
  );
}
