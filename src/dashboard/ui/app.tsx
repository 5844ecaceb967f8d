/**
 * The dashboard's shell: sign-in (a bearer token, checked against the API server), the namespace, the four views
 * (Boards, Services, Events, Nodes) as tabs, the theme (system / light / dark) and keyboard navigation.
 */
import { signal, effect } from '@preact/signals';
import { useState } from 'preact/hooks';
import { checkToken, loginError, request, setToken, signOut, token, K, pathOf } from './api.ts';
import { stopAll } from './informer.ts';
import { outcome } from './actions.ts';
import { Boards } from './board.tsx';
import { Events, Nodes, Services } from './views.tsx';
import { ConfirmDialog } from './dialog.tsx';

const TABS = ['Boards', 'Services', 'Events', 'Nodes'] as const;
type Tab = typeof TABS[number];

const namespace = signal(sessionStorage.getItem('kubelite.namespace') || 'default');
const tab = signal<Tab>((sessionStorage.getItem('kubelite.tab') as Tab) || 'Boards');
const theme = signal<string>(localStorage.getItem('kubelite.theme') || 'auto');
const namespaces = signal<string[]>([]);
const help = signal(false);

effect(() => { sessionStorage.setItem('kubelite.namespace', namespace.value); });
effect(() => { sessionStorage.setItem('kubelite.tab', tab.value); });
effect(() => {
  localStorage.setItem('kubelite.theme', theme.value);
  if (theme.value === 'auto') delete document.documentElement.dataset.theme; else document.documentElement.dataset.theme = theme.value;
});
effect(() => { if (!token.value) stopAll(); });

const nextTheme = () => { theme.value = theme.value === 'auto' ? 'dark' : theme.value === 'dark' ? 'light' : 'auto'; };

/** Focus the next/previous card (board, service, node) in the view. */
function moveFocus(dir: 1 | -1): void {
  const cards = [...document.querySelectorAll<HTMLElement>('main .card')];
  if (!cards.length) return;
  const i = cards.indexOf(document.activeElement as HTMLElement);
  const next = cards[i < 0 ? (dir > 0 ? 0 : cards.length - 1) : Math.max(0, Math.min(cards.length - 1, i + dir))];
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
}

document.addEventListener('keydown', (e) => {
  if (!token.value || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target as HTMLElement;
  if (t.closest('input, textarea, select, dialog')) return;
  const n = Number(e.key);
  if (n >= 1 && n <= TABS.length) { tab.value = TABS[n - 1]; e.preventDefault(); }
  else if (e.key === 'j') { moveFocus(1); e.preventDefault(); }
  else if (e.key === 'k') { moveFocus(-1); e.preventDefault(); }
  else if (e.key === 't') { nextTheme(); e.preventDefault(); }
  else if (e.key === 'n') { document.getElementById('ns')?.focus(); e.preventDefault(); }
  else if (e.key === '?') { help.value = !help.value; e.preventDefault(); }
});

function Login() {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const err = await checkToken(value.trim());
      if (err) loginError.value = err; else { loginError.value = ''; setToken(value.trim()); }
    } catch (x) { loginError.value = `Cannot reach the API server: ${(x as Error).message}`; } finally { setBusy(false); }
  };
  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">kubelite</h1>
        <p>Sign in with a bearer token. Everything you see and do is an API request made with it, authorized as you.</p>
        <label class="field">Token
          <input id="token" name="token" type="password" autoComplete="off" autoFocus required value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        </label>
        {loginError.value ? <p class="error" role="alert" data-login-error>{loginError.value}</p> : null}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
        <p class="small muted"><code>kubelite dashboard</code> prints a sign-in link for the cluster admin's token (or <code>--token</code>).</p>
      </form>
    </main>
  );
}

async function loadNamespaces(): Promise<void> {
  try {
    const l = await request('GET', pathOf(K.namespaces, ''));
    namespaces.value = (l.items ?? []).map((n: any) => n.metadata.name).sort();
  } catch { /* may not list namespaces: type one */ }
}

function Header() {
  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab.value);
    let j = i;
    if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = TABS.length - 1;
    else return;
    e.preventDefault();
    tab.value = TABS[j];
    document.getElementById(`tab-${TABS[j]}`)?.focus();
  };
  return (
    <header class="top">
      <span class="brand">kubelite</span>
      <nav role="tablist" aria-label="views" onKeyDown={onTabKey}>
        {TABS.map((t, i) => (
          <button type="button" role="tab" id={`tab-${t}`} aria-selected={tab.value === t} aria-controls="view" tabIndex={tab.value === t ? 0 : -1}
            onClick={() => { tab.value = t; }} title={`${t} (${i + 1})`}>{t}</button>
        ))}
      </nav>
      {tab.value !== 'Nodes' ? (
        <label class="ns">namespace
          <input id="ns" list="ns-list" value={namespace.value} size={12} onFocus={() => { void loadNamespaces(); }}
            onChange={(e) => { const v = (e.target as HTMLInputElement).value.trim(); if (v) namespace.value = v; }} />
          <datalist id="ns-list">{namespaces.value.map((n) => <option value={n} />)}</datalist>
        </label>
      ) : null}
      <span class="spacer" />
      <button type="button" onClick={nextTheme} aria-label={`theme: ${theme.value} (t)`} title="theme (t)">{theme.value === 'dark' ? '☾' : theme.value === 'light' ? '☀' : '◐'} {theme.value}</button>
      <button type="button" onClick={() => signOut('')}>Sign out</button>
    </header>
  );
}

function Help() {
  if (!help.value) return null;
  return (
    <aside class="card help" aria-label="keyboard shortcuts">
      <b>Keys</b> 1–4 views · ←/→ in the tab bar · j/k next/previous board · n namespace · t theme · Tab/Enter actions · Esc closes a dialog · ? this help
    </aside>
  );
}

export function App() {
  if (!token.value) return <Login />;
  const o = outcome.value;
  return (
    <>
      <Header />
      <Help />
      <p class={`outcome ${o ? (o.ok ? 'ok' : 'bad') : ''}`} role="status" aria-live="polite" data-outcome>{o?.text ?? ''}</p>
      <main><div id="view" class="view" role="tabpanel" aria-labelledby={`tab-${tab.value}`}>
        {tab.value === 'Boards' ? <Boards key={namespace.value} namespace={namespace.value} />
          : tab.value === 'Services' ? <Services key={namespace.value} namespace={namespace.value} />
          : tab.value === 'Events' ? <Events key={namespace.value} namespace={namespace.value} />
          : <Nodes />}
      </div></main>
      <ConfirmDialog />
    </>
  );
}
