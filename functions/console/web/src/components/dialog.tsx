// Dialogs are native <dialog> elements opened with showModal(): the browser traps focus
// inside, makes the page behind inert, and Escape cancels. Opening moves focus to the
// dialog's first field (or its heading); closing gives it back to what opened it.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { Result } from "../api/client";
import type { ApiError } from "../api/errors";
import { codeWords } from "../api/errors";
import { t, useLanguage } from "../i18n";
import { SendForm, type SendFormProps } from "./sendform";

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  // A dialog showing something said once (a password) is not closed by Escape by mistake.
  noEscape?: boolean;
}

function Dialog({ title, onClose, children, wide, noEscape }: DialogProps) {
  useLanguage();
  const ref = useRef<HTMLDialogElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = ref.current!;
    if (!d.open) d.showModal();
    const first = d.querySelector<HTMLElement>(".dialog-body input:not([type=hidden]), .dialog-body select, .dialog-body textarea");
    (first ?? heading.current)?.focus();
    return () => {
      if (d.open) d.close();
      // The opener may be gone (a deleted row's button): the page's heading then.
      const back = opener?.isConnected ? opener : document.querySelector<HTMLElement>("main h1");
      back?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? "dialog wide" : "dialog"}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!noEscape) onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" class="close" aria-label={t("common.close")} onClick={onClose}>
          ×
        </button>
      </div>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  children: ComponentChildren;
  confirm: string;
  danger?: boolean;
  // run does the action; a refusal is shown in the dialog.
  run: () => Promise<Result<unknown>>;
  onClose: () => void;
  onDone: () => void;
  // Words for an error code here, instead of the general ones.
  words?: (err: ApiError) => string | undefined;
}

// Confirm asks before an action that cannot be taken back, says what will happen, and
// shows the API's refusal in words inside the dialog.
export function Confirm(p: ConfirmProps) {
  useLanguage();
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState("");
  return (
    <Dialog title={p.title} onClose={p.onClose}>
      <div class="confirm-text">{p.children}</div>
      <div role="alert" class={alert ? "alert error" : "alert-empty"}>
        {alert && <p>{alert}</p>}
      </div>
      <div class="actions">
        <button
          type="button"
          class={p.danger ? "danger" : "primary"}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setAlert("");
            const r = await p.run();
            setBusy(false);
            if (!r.ok) return setAlert(p.words?.(r.error) ?? codeWords(r.error));
            p.onDone();
          }}
        >
          {p.confirm}
        </button>
        <button type="button" class="secondary" onClick={p.onClose}>
          {t("common.cancel")}
        </button>
      </div>
    </Dialog>
  );
}

// FormDialog is a dialog holding one SendForm, with Cancel beside its submit button.
export function FormDialog<K extends string>({ title, onClose, wide, ...form }: Omit<SendFormProps<K>, "actions" | "secondary"> & { title: string; onClose: () => void; wide?: boolean }) {
  useLanguage();
  return (
    <Dialog title={title} onClose={onClose} wide={wide}>
      <SendForm
        {...form}
        actions={
          <button type="button" class="secondary" onClick={onClose}>
            {t("common.cancel")}
          </button>
        }
      />
    </Dialog>
  );
}

// DoneDialog is what a dialog's work ends with (a password shown once, say), closed with
// Done; cta is a way onward beside it. Escape does not close it by mistake unless
// noEscape is false.
export function DoneDialog({ title, onClose, wide, noEscape = true, cta, children }: { title: string; onClose: () => void; wide?: boolean; noEscape?: boolean; cta?: ComponentChildren; children: ComponentChildren }) {
  useLanguage();
  return (
    <Dialog title={title} onClose={onClose} noEscape={noEscape} wide={wide}>
      {children}
      <div class="actions">
        {cta}
        <button type="button" class={cta ? "secondary" : "primary"} onClick={onClose}>
          {t("common.done")}
        </button>
      </div>
    </Dialog>
  );
}
