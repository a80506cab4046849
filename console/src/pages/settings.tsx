// How identify decides for this tenant: threshold, k1, k2 and the model (ADMIN). The evaluation
// tool measures the best values on the tenant's own labelled photos and can write them here.
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api';
import { ActionForm, ErrorNote, Section, useAction, useLoad } from '../ui';

interface Settings {
  threshold: number;
  k1: number;
  k2: number;
  model: string;
}
const SETTINGS = '{ viewer { tenant { slug settings { threshold k1 k2 model } } } }';

export function SettingsPage() {
  const loaded = useLoad(() => gql<{ viewer: { tenant: { slug: string; settings: Settings } } | null }>(SETTINGS), []);
  const current = loaded.data?.viewer?.tenant.settings;
  const [form, setForm] = useState({ threshold: '', k1: '', k2: '', model: '' });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (current) setForm({ threshold: String(current.threshold), k1: String(current.k1), k2: String(current.k2), model: current.model });
  }, [current]);
  const save = useAction(async () => {
    setSaved(false);
    await gql('mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { id } }', {
      input: { threshold: Number(form.threshold), k1: Number(form.k1), k2: Number(form.k2), model: form.model.trim() },
    });
    setSaved(true);
    loaded.reload();
  });
  const field = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  const slug = loaded.data?.viewer?.tenant.slug ?? '<slug>';
  return (
    <>
      <Section title="Recognition settings">
        <ErrorNote error={loaded.error} />
        <ActionForm class="row" onSubmit={() => void save.run()}>
          <label>
            Threshold (largest L2 distance that votes, 0–2)
            <input type="number" step="0.01" min="0" max="2" required value={form.threshold} onInput={field('threshold')} />
          </label>
          <label>
            k1 (neighbours that vote first)
            <input type="number" step="1" min="1" required value={form.k1} onInput={field('k1')} />
          </label>
          <label>
            k2 (neighbours consulted on a tie)
            <input type="number" step="1" min="1" required value={form.k2} onInput={field('k2')} />
          </label>
          <label>
            Model
            <input list="models" required value={form.model} onInput={field('model')} />
            <datalist id="models">
              <option value="face-arcface-512" />
              <option value="face-arcface-512-int8" />
              <option value="clip-vit-b32" />
            </datalist>
          </label>
          <button type="submit" disabled={save.busy || !current}>
            Save settings
          </button>
          {saved ? <span role="status">Saved.</span> : null}
        </ActionForm>
        <ErrorNote error={save.error} />
        <p class="hint">A model can be switched only while the tenant has no faces of another model (CONFLICT otherwise).</p>
      </Section>
      <Section title="Advice from the evaluation tool">
        <p>
          Do not guess these values: the evaluation tool (<code>npm run eval</code>, documented in <code>src/eval/README.md</code> of the Visage repository) runs the
          paper’s protocol on your own labelled photos, sweeps k1, k2 and the threshold, reports precision and recall at each point, and can write the best one here:
        </p>
        <pre>{`npm run eval -- --data <labelled photos> --enroll 2 \\\n  --apply ${slug} --server ${location.origin} --api-key <an ADMIN key of this tenant>`}</pre>
      </Section>
    </>
  );
}
