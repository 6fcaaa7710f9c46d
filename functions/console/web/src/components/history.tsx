// A sign-in history: My account's own, and a user's on its admin page. It grows page by
// page ("Show more"), newest first.
import { useEffect, useState } from "preact/hooks";
import type { Result, Schemas } from "../api/client";
import { codeWords } from "../api/errors";
import { formatTime, t, useLanguage } from "../i18n";
import { Table } from "./table";

type Page = { items: Schemas["LoginEvent"][]; nextCursor: string | null };

export function LoginHistory({ titleId, title, load }: { titleId: string; title: string; load: (cursor?: string) => Promise<Result<Page>> }) {
  useLanguage();
  const [items, setItems] = useState<Schemas["LoginEvent"][] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function page(after?: string) {
    setBusy(true);
    const r = await load(after);
    setBusy(false);
    if (!r.ok) return setError(codeWords(r.error));
    setError("");
    setItems((old) => [...(after && old ? old : []), ...r.data.items]);
    setCursor(r.data.nextCursor);
  }
  useEffect(() => {
    void page();
  }, []);

  return (
    <section>
      <h2 id={titleId}>{title}</h2>
      {error && (
        <div role="alert" class="alert error">
          <p>{error}</p>
        </div>
      )}
      {items && items.length === 0 && <p>{t("account.historyEmpty")}</p>}
      {items && items.length > 0 && (
        <Table labelledBy={titleId} list={false} head={[t("account.time"), t("account.outcome"), t("account.sourceIp"), t("account.userAgent")]}>
          {items.map((e) => (
            <tr key={e.id}>
              <td>
                <time dateTime={e.time}>{formatTime(e.time)}</time>
              </td>
              <td>{t(`account.outcomeWord.${e.outcome}`)}</td>
              <td>{e.sourceIp ?? t("account.unknown")}</td>
              <td class="ua">{e.userAgent || t("account.unknown")}</td>
            </tr>
          ))}
        </Table>
      )}
      {cursor && (
        <div class="actions">
          <button type="button" class="secondary" disabled={busy} onClick={() => void page(cursor)}>
            {t("account.more")}
          </button>
        </div>
      )}
    </section>
  );
}
