// Copying a password, a code or a link, and showing what is said only once.
import { Fragment, type ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t, useLanguage } from "../i18n";

// copyText puts text on the clipboard: the Clipboard API where the page may use it,
// else a selected hidden field and the older copy command.
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

// CopyButton copies text and says so beside itself for a few seconds; label names what
// it copies ("Copy password"), so several on one page are told apart.
export function CopyButton({ text, label }: { text: string; label: string }) {
  useLanguage();
  const [said, setSaid] = useState("");
  useEffect(() => {
    if (!said) return;
    const id = setTimeout(() => setSaid(""), 4000);
    return () => clearTimeout(id);
  }, [said]);
  return (
    <span class="copy">
      <button type="button" class="secondary small" onClick={async () => setSaid((await copyText(text)) ? t("common.copied") : t("common.copyFailed"))}>
        {label}
      </button>
      <span role="status" class="copy-said">
        {said}
      </span>
    </span>
  );
}

export interface SecretItem {
  label: string;
  value: string;
  copy: string; // the copy button's label
  testId?: string;
  mono?: boolean;
}

// Once shows values that will not be shown again (a temporary password, a link), each
// with its copy button, under a warning that says so.
export function Once({ items, warning, children }: { items: SecretItem[]; warning?: string; children?: ComponentChildren }) {
  useLanguage();
  return (
    <div class="once">
      <div class="alert warn">
        <p>{warning ?? t("common.onceWarning")}</p>
      </div>
      <dl class="facts secrets">
        {items.map((it) => (
          <Fragment key={it.label}>
            <dt>{it.label}</dt>
            <dd>
              <span class={it.mono === false ? "secret-value plain" : "secret-value"} data-testid={it.testId}>
                {it.value}
              </span>
              <CopyButton text={it.value} label={it.copy} />
            </dd>
          </Fragment>
        ))}
      </dl>
      {children}
    </div>
  );
}
