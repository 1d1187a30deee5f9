import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { createElement as h, type ReactElement, useEffect, useRef, useState } from 'react';
import { applyKey } from './keys.js';
import { renderFrame } from './render-frame.js';
import { type DashboardUi, type DashboardView, INITIAL_UI } from './view-model.js';

/** Props of {@link DashboardApp}. */
export interface DashboardAppProps {
  /** The view for the given ui state, computed now (the command binds it to the live model, frozen while `ui.paused`). */
  view: (ui: DashboardUi) => DashboardView;
  /** Colours on (off under NO_COLOR or when not a terminal). */
  color: boolean;
  /** How often the frame is drawn again. Default 1000 ms. */
  refreshMs?: number;
  /** Rows and columns when the output stream does not say. Default 80x24. */
  size?: { width: number; height: number };
}

/**
 * The full-screen dashboard: draws {@link renderFrame} every `refreshMs` and
 * turns key presses into ui states through {@link applyKey}; `q` ends the app.
 *
 * @example
 * render(h(DashboardApp, { view: (ui) => dashboardView(model, { ui, now: Date.now() }), color: true }));
 */
export function DashboardApp(props: DashboardAppProps): ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [ui, setUi] = useState<DashboardUi>(INITIAL_UI);
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), props.refreshMs ?? 1000);
    return () => clearInterval(timer);
  }, [props.refreshMs]);
  const view = props.view(ui);
  // Keys can come faster than renders: read the latest ui and view, never the closure's.
  const latest = useRef({ ui, view });
  latest.current = { ui, view };
  useInput((input, key) => {
    const press = {
      input,
      tab: key.tab,
      return: key.return,
      escape: key.escape,
      upArrow: key.upArrow,
      downArrow: key.downArrow,
    };
    const next = applyKey(latest.current.ui, press, latest.current.view);
    if (next === 'quit') return exit();
    latest.current = { ui: next, view: { ...latest.current.view, ui: next } };
    setUi(next);
  });
  const width = stdout.columns || props.size?.width || 80;
  const height = stdout.rows || props.size?.height || 24;
  const lines = renderFrame(view, { width, height, color: props.color });
  return h(
    Box,
    { flexDirection: 'column', width, height },
    ...lines.map((line, i) => h(Text, { key: i, wrap: 'truncate' }, line || ' ')),
  );
}
