import type { ComponentChildren } from 'preact';
import type { ApiError } from './api';
import { href, linkClick } from './router';

/** An error of the API as the page shows it: its code and message. */
export function ErrorBox({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div class="error-box" role="alert">
      <code>{error.code}</code> {error.message}
    </div>
  );
}

/** An empty state: what is missing and what to do. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** A link inside the page (history API, the token kept). */
export function Link(props: {
  path: string;
  params?: Record<string, string | undefined>;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <a href={href(props.path, props.params)} class={props.class} onClick={linkClick}>
      {props.children}
    </a>
  );
}

/** A boxed section with a title. */
export function Card(props: { title: string; children: ComponentChildren; class?: string; id?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`} id={props.id}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A figure: a label over a big value. */
export function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div class="figure">
      <div class="figure-label">{label}</div>
      <div class="figure-value">{value}</div>
      {hint ? <div class="figure-hint">{hint}</div> : null}
    </div>
  );
}

/** Marks a chart drawn (`data-drawn`) and, for the first chart of the page, `performance.mark('sat:first-chart')`. */
export function markDrawn(el: Element | null): void {
  if (!el) return;
  el.setAttribute('data-drawn', '1');
  if (performance.getEntriesByName('sat:first-chart').length === 0)
    performance.mark('sat:first-chart', { detail: el.getAttribute('data-chart') });
}
