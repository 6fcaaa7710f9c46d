// The few building blocks every page uses: labelled fields whose errors are tied to
// them (aria-invalid, aria-describedby), a form alert, a page with its one <h1>.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Form } from "../form";
import { isLanguage, languages, t, useLanguage, type Language } from "../i18n";

interface FieldProps<K extends string> {
  form: Form<K>;
  name: K;
  label: string;
  type?: "text" | "password" | "email";
  autoComplete?: string;
  hint?: string;
  optional?: boolean;
  inputMode?: "numeric" | "email" | "text";
  maxLength?: number;
  autoFocus?: boolean;
  readOnly?: boolean;
}

// fieldOf is a form field's id (the form's id, then its name), its error, and the ids
// of its error and hint for aria-describedby.
export function fieldOf<K extends string>(form: Form<K>, name: K, hint?: string) {
  const id = `${form.id}-${name}`;
  const error = form.error(name);
  const describedBy = [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(" ") || undefined;
  return { id, error, describedBy };
}

// LabelRow is a field's label; "optional" stays outside it, so a field's name is its
// label alone.
export function LabelRow({ id, label, optional }: { id: string; label: string; optional?: boolean }) {
  useLanguage();
  return (
    <div class="label-row">
      <label for={id}>{label}</label>
      {optional && <span class="optional">({t("common.optional")})</span>}
    </div>
  );
}

// Below is a field's error and hint, under it, with the ids fieldOf names.
export function Below({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  return (
    <>
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </>
  );
}

export function Field<K extends string>(p: FieldProps<K>) {
  const { id, error, describedBy } = fieldOf(p.form, p.name, p.hint);
  const input = useRef<HTMLInputElement>(null);
  // Focused from an effect, not the autofocus attribute: that one is not honoured for
  // fields a single-page app inserts later (a challenge's code, say).
  useEffect(() => {
    if (p.autoFocus) input.current?.focus();
  }, []);
  return (
    <div class={error ? "field invalid" : "field"}>
      <LabelRow id={id} label={p.label} optional={p.optional} />
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        value={p.form.values[p.name]}
        onInput={(e) => p.form.set(p.name, e.currentTarget.value)}
        onBlur={() => p.form.touch(p.name)}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        maxLength={p.maxLength}
        required={!p.optional}
        aria-required={!p.optional}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
        ref={input}
        readOnly={p.readOnly}
        spellcheck={false}
        autoCapitalize="off"
      />
      <Below id={id} error={error} hint={p.hint} />
    </div>
  );
}

// FormAlert is the form-level error: announced when it appears.
export function FormAlert({ form }: { form: { alert: string; requestId?: string } }) {
  useLanguage();
  return (
    <div role="alert" class={form.alert ? "alert error" : "alert-empty"}>
      {form.alert && <p>{form.alert}</p>}
      {form.alert && form.requestId && <p class="small">{t("errors.requestId", { id: form.requestId })}</p>}
    </div>
  );
}

export function Status({ message, tone = "ok" }: { message: string; tone?: "ok" | "info" | "warn" }) {
  return (
    <div role="status" class={message ? `alert ${tone}` : "alert-empty"}>
      {message && <p>{message}</p>}
    </div>
  );
}

export function Submit({ busy, children, secondary }: { busy: boolean; children: ComponentChildren; secondary?: boolean }) {
  return (
    <button type="submit" class={secondary ? "secondary" : "primary"} aria-disabled={busy ? "true" : undefined} disabled={busy}>
      {children}
    </button>
  );
}

let firstPage = true;

// Page is a page's frame: its <h1>, the document title, and (after a navigation)
// focus moved to the heading, so a screen reader starts reading the new page.
export function Page({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${t("app.titleSuffix")}`;
  }, [title]);
  useEffect(() => {
    // A page's own first field may have taken the focus already (effects run children
    // first); otherwise, after a navigation, the heading takes it.
    const active = document.activeElement;
    const taken = active instanceof HTMLInputElement && h1.current?.parentElement?.contains(active);
    if (!firstPage && !taken) h1.current?.focus();
    firstPage = false;
  }, []);
  return (
    <div class={wide ? "page wide" : "page"}>
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </div>
  );
}

// LanguageSelect chooses one of Roster's languages, each named in its own.
export function LanguageSelect({ id, value, onChange }: { id: string; value: Language; onChange: (l: Language) => void }) {
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => {
        const v = e.currentTarget.value;
        if (isLanguage(v)) onChange(v);
      }}
    >
      {languages.map((l) => (
        <option key={l} value={l} lang={l}>
          {t(`lang.${l}`)}
        </option>
      ))}
    </select>
  );
}

export function Loading() {
  useLanguage();
  return (
    <p class="loading" role="status">
      {t("app.loading")}
    </p>
  );
}

// useCooldown counts down the seconds before a code may be sent again.
export function useCooldown(): [number, (seconds: number) => void] {
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until <= now) return;
    const id = setTimeout(() => setNow(Date.now()), 1000);
    return () => clearTimeout(id);
  }, [until, now]);
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  return [
    left,
    (seconds) => {
      setNow(Date.now());
      setUntil(Date.now() + seconds * 1000);
    },
  ];
}

export function onSubmit(run: () => void) {
  return (e: JSX.TargetedEvent<HTMLFormElement>) => {
    e.preventDefault();
    run();
  };
}

// safeNext keeps a ?next= path on this site: a path, never another origin.
export function safeNext(next: string | undefined): string | undefined {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return undefined;
  return next;
}
