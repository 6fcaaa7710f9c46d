// useForm keeps a form's values, its errors and its alert. Nothing typed is ever
// cleared by an error: values change only when the person types. A field's own check
// runs once it was left (or the form submitted); an error the API gave a field stays
// beside it until that field is edited.
import { useMemo, useRef, useState } from "preact/hooks";
import type { ApiError, Overrides } from "./api/errors";
import { present } from "./api/errors";
import type { Check } from "./validate";
import { useLanguage } from "./i18n";

export interface Form<K extends string> {
  id: string;
  values: Record<K, string>;
  error: (name: K) => string | undefined;
  set: (name: K, value: string) => void;
  touch: (name: K) => void;
  alert: string;
  requestId?: string;
  setAlert: (message: string) => void;
  busy: boolean;
  // submit checks every field, then runs action with busy set; false when a check failed.
  submit: (action: () => Promise<void>) => Promise<boolean>;
  // fail shows an API error beside its fields and in the alert.
  fail: (err: ApiError, overrides?: Overrides) => void;
  reset: (names: K[]) => void;
}

export function useForm<K extends string>(id: string, initial: Record<K, string>, checks: Partial<Record<K, Check>> = {}): Form<K> {
  useLanguage(); // words are recomputed in the new language
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Partial<Record<K, string>>>({});
  const [alert, setAlert] = useState("");
  const [requestId, setRequestId] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const edited = useRef(new Set<string>());

  const clientErrors = useMemo(() => {
    const out: Partial<Record<K, string>> = {};
    for (const name of Object.keys(checks) as K[]) {
      const msg = checks[name]!(values[name] ?? "", values as Record<string, string>);
      if (msg) out[name] = msg;
    }
    return out;
  }, [values, checks]);

  const names = Object.keys(initial) as K[];

  return {
    id,
    values,
    error: (name) => server[name] ?? (submitted || touched.has(name) ? clientErrors[name] : undefined),
    set: (name, value) => {
      edited.current.add(name);
      setValues((v) => ({ ...v, [name]: value }));
      if (server[name]) setServer((s) => ({ ...s, [name]: undefined }));
    },
    // Leaving a field checks it only once something was typed in it: an untouched
    // empty field is not an error until the form is sent.
    touch: (name) => {
      if (!edited.current.has(name)) return;
      setTouched((s) => (s.has(name) ? s : new Set(s).add(name)));
    },
    alert,
    requestId,
    setAlert: (m) => {
      setAlert(m);
      setRequestId(undefined);
    },
    busy,
    submit: async (action) => {
      setSubmitted(true);
      setAlert("");
      setRequestId(undefined);
      setServer({});
      if (Object.keys(clientErrors).length > 0) {
        // Focus the first field that needs attention, as a person would look for it.
        const first = names.find((n) => clientErrors[n]);
        if (first) document.getElementById(`${id}-${first}`)?.focus();
        return false;
      }
      setBusy(true);
      try {
        await action();
      } finally {
        setBusy(false);
      }
      return true;
    },
    fail: (err, overrides) => {
      const shown = present(err, names, overrides);
      setServer(shown.fields as Partial<Record<K, string>>);
      setAlert(shown.form ?? "");
      setRequestId(shown.requestId);
      const first = names.find((n) => shown.fields[n]);
      if (first) setTimeout(() => document.getElementById(`${id}-${first}`)?.focus(), 0);
    },
    reset: (list) => {
      setValues((v) => {
        const next = { ...v };
        for (const n of list) next[n] = initial[n];
        return next;
      });
      setSubmitted(false);
      setTouched(new Set());
      edited.current = new Set();
    },
  };
}
