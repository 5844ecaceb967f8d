/** The confirmation dialog of every action: what will be sent, an input when the action takes one, Confirm / Cancel. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { outcome, pending } from './actions.ts';

export function ConfirmDialog() {
  const a = pending.value;
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (a) {
      setValue(a.input?.initial ?? '');
      setError('');
      setBusy(false);
      if (!d.open) d.showModal();
    } else if (d.open) d.close();
  }, [a]);
  const confirm = async (e: Event) => {
    e.preventDefault();
    if (!a || busy) return;
    setBusy(true);
    setError('');
    try {
      const text = await a.run(value);
      outcome.value = { ok: !/could not be recorded/.test(text), text };
      // Another action may have been opened meanwhile: close only this one's dialog.
      if (pending.value === a) pending.value = null;
    } catch (err) {
      setError((err as Error).message);
    } finally { setBusy(false); }
  };
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={() => { pending.value = null; }}>
      {a ? (
        <form onSubmit={confirm}>
          <h2 id="confirm-title">{a.title}?</h2>
          {a.input ? (
            <label class="field">{a.input.label}
              {a.input.type === 'number'
                ? <input name="value" type="number" min={0} value={value} autoFocus onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
                : <input name="value" type="text" value={value} autoFocus spellcheck={false} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />}
            </label>
          ) : null}
          <p class="small muted">This sends, as you:</p>
          <pre class="request">{a.describe(value)}</pre>
          {error ? <p class="error" role="alert">{error}</p> : null}
          <div class="buttons">
            <button type="button" onClick={() => { pending.value = null; }}>Cancel</button>
            <button type="submit" class={a.danger ? 'danger primary' : 'primary'} disabled={busy} autoFocus={!a.input}>{busy ? 'Sending…' : 'Confirm'}</button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
