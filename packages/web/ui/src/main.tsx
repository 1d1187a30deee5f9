import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from './common';
import { KEYS, useKeys } from './keys';
import { onConnection } from './live';
import { navigate, type Route, useRoute } from './router';
import './styles.css';
import { Overview } from './views/overview';
import { SessionPage } from './views/session-page';
import { Sessions } from './views/sessions';

function Help({ close }: { close(): void }) {
  return (
    <div class="help" role="dialog" aria-label="keys" onClick={close} onKeyDown={close}>
      <div class="help-box">
        <h2>Keys</h2>
        <table>
          <tbody>
            {KEYS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Header({ route }: { route: Route }) {
  const [open, setOpen] = useState(false);
  useEffect(() => onConnection(setOpen), []);
  return (
    <header class="top">
      <Link path="/" class="brand">
        sat
      </Link>
      <nav>
        <Link path="/" class={route.view === 'overview' ? 'on' : ''}>
          overview
        </Link>
        <Link path="/sessions" class={route.view !== 'overview' ? 'on' : ''}>
          sessions
        </Link>
      </nav>
      <span
        class={`conn ${open ? 'up' : 'down'}`}
        title={open ? 'live: connected to /api/stream' : 'live stream not connected'}
      >
        {open ? '● live' : '○ offline'}
      </span>
      <span class="muted keys-hint">press ? for keys</span>
    </header>
  );
}

function App() {
  const route = useRoute();
  const [help, setHelp] = useState(false);
  const [selected, setSelected] = useState(0);
  const rows = useRef<string[]>([]);
  useEffect(() => setSelected(0), [route.view, route.params.toString()]);
  useKeys({
    move: (d) => {
      if (route.view !== 'sessions') return;
      setSelected((s) => Math.max(0, Math.min(rows.current.length - 1, s + d)));
    },
    open: () => {
      const id = rows.current[selected];
      if (route.view === 'sessions' && id) navigate(`/sessions/${id}`);
    },
    back: () => {
      if (route.view === 'session') history.length > 1 ? history.back() : navigate('/sessions');
      else if (route.view === 'sessions') navigate('/');
    },
    go: (where) => navigate(where === 'overview' ? '/' : '/sessions'),
    search: () => {
      if (route.view !== 'sessions') navigate('/sessions');
      setTimeout(() => document.getElementById('search')?.focus(), 0);
    },
    help: () => setHelp((h) => !h),
    escape: () => {
      if (!help) return false;
      setHelp(false);
      return true;
    },
  });
  useEffect(() => {
    document.querySelector('tr.selected')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return (
    <>
      <Header route={route} />
      <main>
        {route.view === 'overview' ? <Overview route={route} /> : null}
        {route.view === 'sessions' ? (
          <Sessions route={route} selected={selected} onRows={(r) => (rows.current = r)} />
        ) : null}
        {route.view === 'session' ? <SessionPage key={route.id} route={route} /> : null}
      </main>
      {help ? <Help close={() => setHelp(false)} /> : null}
    </>
  );
}

render(<App />, document.getElementById('app')!);
