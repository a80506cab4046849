// One person: edit or delete them, their faces and enrollment sessions, and enrollment.
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api';
import { navigate } from '../router';
import { ActionForm, ErrorNote, Table, Section, formatNumber, formatTime, useAction, useLoad } from '../ui';
import { EnrollDrop } from './enroll';

interface PersonDetail {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: string;
  faces: { id: string; createdAt: string; detectionScore: number; model: string; searchable: boolean; sessionId: string }[];
  enrollmentSessions: { id: string; status: string; source: string; createdAt: string; imagesAccepted: number; imagesRejected: number }[];
}

const PERSON = `query Person($id: ID!) {
  person(id: $id) { id displayName externalId createdAt
    faces { id createdAt detectionScore model searchable sessionId }
    enrollmentSessions { id status source createdAt imagesAccepted imagesRejected } }
}`;

function EditPerson({ person, onSaved }: { person: PersonDetail; onSaved: () => void }) {
  const [displayName, setDisplayName] = useState(person.displayName);
  const [externalId, setExternalId] = useState(person.externalId ?? '');
  useEffect(() => {
    setDisplayName(person.displayName);
    setExternalId(person.externalId ?? '');
  }, [person]);
  const save = useAction(async () => {
    await gql('mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { id } }', { input: { id: person.id, displayName, externalId: externalId.trim() || null } });
    onSaved();
  });
  const remove = useAction(async () => {
    if (!confirm(`Delete ${person.displayName} with every face? This cannot be undone.`)) return;
    await gql('mutation($input: DeletePersonInput!) { deletePerson(input: $input) { id } }', { input: { id: person.id } });
    navigate('/people');
  });
  return (
    <ActionForm class="row" onSubmit={() => void save.run()}>
      <label>
        Display name
        <input required value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </label>
      <label>
        External id
        <input value={externalId} onInput={(e) => setExternalId(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={save.busy}>
        Save
      </button>
      <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
        Delete person
      </button>
      <ErrorNote error={save.error ?? remove.error} />
    </ActionForm>
  );
}

function Faces({ person, canManage, onChanged }: { person: PersonDetail; canManage: boolean; onChanged: () => void }) {
  const remove = useAction(async (id: string) => {
    await gql('mutation($input: DeleteFaceInput!) { deleteFace(input: $input) { id } }', { input: { id } });
    onChanged();
  });
  return (
    <>
      <ErrorNote error={remove.error} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Faces">
        <table>
          <thead>
            <tr>
              <th>Face</th>
              <th>Added</th>
              <th>Detection score</th>
              <th>Model</th>
              <th>Searchable</th>
              {canManage ? <th>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {person.faces.map((f) => (
              <tr key={f.id}>
                <td>
                  <code>{f.id.slice(0, 8)}</code>
                </td>
                <td>{formatTime(f.createdAt)}</td>
                <td>{formatNumber(f.detectionScore)}</td>
                <td>{f.model}</td>
                <td>{f.searchable ? 'yes' : 'no (session open)'}</td>
                {canManage ? (
                  <td>
                    <button type="button" class="danger" onClick={() => void remove.run(f.id)}>
                      Delete face
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
            {person.faces.length === 0 ? (
              <tr>
                <td colSpan={canManage ? 6 : 5}>No faces enrolled yet.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function PersonPage({ id, canManage }: { id: string; canManage: boolean }) {
  const loaded = useLoad(() => gql<{ person: PersonDetail }>(PERSON, { id }), [id]);
  const person = loaded.data?.person;
  return (
    <>
      <p>
        <a href="#/people">← People</a>
      </p>
      <ErrorNote error={loaded.error} />
      {person ? (
        <>
          <Section title={person.displayName}>
            <p class="hint">
              Id <code>{person.id}</code> · created {formatTime(person.createdAt)}
            </p>
            {canManage ? <EditPerson person={person} onSaved={loaded.reload} /> : <p>External id: {person.externalId ?? '—'}</p>}
          </Section>
          {canManage ? (
            <Section title="Enroll">
              <EnrollDrop personId={person.id} onEnrolled={loaded.reload} />
            </Section>
          ) : null}
          <Section title={`Faces (${person.faces.length})`}>
            <Faces person={person} canManage={canManage} onChanged={loaded.reload} />
          </Section>
          <Section title="Enrollment sessions">
            <Table head={['Started', 'Source', 'Status', 'Accepted', 'Rejected']} empty={person.enrollmentSessions.length === 0 && `No enrollment sessions.`}>
                  {person.enrollmentSessions.map((s) => (
                    <tr key={s.id}>
                      <td>{formatTime(s.createdAt)}</td>
                      <td>{s.source}</td>
                      <td>
                        <span class={`badge ${s.status.toLowerCase()}`}>{s.status}</span>
                      </td>
                      <td>{s.imagesAccepted}</td>
                      <td>{s.imagesRejected}</td>
                    </tr>
                  ))}
                  
                </Table>
          </Section>
        </>
      ) : null}
    </>
  );
}
