// Lists page through the API's cursors: one page in memory at a time, however long
// the list (a platform of thousands of users loads 20 of them). The cursors of the
// pages before are kept, so "Previous" goes back without reading from the start.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Result } from "../api/client";
import { codeWords, type ApiError } from "../api/errors";
import { t, useLanguage } from "../i18n";
import { Table, type TableProps } from "./table";

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Paged<T> {
  items: T[] | null; // null until the first answer
  error: ApiError | null;
  busy: boolean;
  page: number; // 1-based
  hasNext: boolean;
  next: () => void;
  prev: () => void;
  reload: () => void; // the current page again (after a change)
  replace: (fn: (items: T[]) => T[]) => void; // a change shown without a request
}

// usePaged loads page after page of load; a change of key (the filters) starts again
// from the first page.
export function usePaged<T>(load: (cursor: string | undefined) => Promise<Result<PageOf<T>>>, key: string): Paged<T> {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // The cursors belong to the filters they were read with: new filters, first page.
  const [nav, setNav] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = nav.key === key ? nav.cursors : [undefined];
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const mine = ++seq.current;
    setBusy(true);
    void load(cursor).then((r) => {
      if (mine !== seq.current) return; // a newer request (filters changed) answers instead
      setBusy(false);
      if (!r.ok) {
        setError(r.error);
        return;
      }
      setError(null);
      setItems(r.data.items);
      setNextCursor(r.data.nextCursor);
    });
  }, [key, cursors.length, cursor, tick]);

  return {
    items,
    error,
    busy,
    page: cursors.length,
    hasNext: !!nextCursor,
    next: () => {
      if (nextCursor) setNav({ key, cursors: [...cursors, nextCursor] });
    },
    prev: () => {
      if (cursors.length > 1) setNav({ key, cursors: cursors.slice(0, -1) });
    },
    reload: () => setTick((n) => n + 1),
    replace: (fn) => setItems((old) => (old ? fn(old) : old)),
  };
}

// Pager is the list's Previous / Next, with the page number said as it changes.
export function Pager<T>({ paged, label }: { paged: Paged<T>; label: string }) {
  useLanguage();
  if (paged.page === 1 && !paged.hasNext) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={paged.page === 1 || paged.busy} onClick={paged.prev}>
        {t("common.previousPage")}
      </button>
      <span role="status">{t("common.pageN", { n: paged.page })}</span>
      <button type="button" class="secondary" disabled={!paged.hasNext || paged.busy} onClick={paged.next}>
        {t("common.nextPage")}
      </button>
    </nav>
  );
}

// ListState shows a list's loading, error and empty states, else its children.
export function ListState<T>({ paged, empty, children }: { paged: Paged<T>; empty: string; children: ComponentChildren }) {
  useLanguage();
  if (paged.error) {
    return (
      <div role="alert" class="alert error">
        <p>{codeWords(paged.error)}</p>
        <p>
          <button type="button" class="link" onClick={paged.reload}>
            {t("common.tryAgain")}
          </button>
        </p>
      </div>
    );
  }
  if (paged.items === null) {
    return (
      <p class="loading" role="status">
        {t("app.loading")}
      </p>
    );
  }
  if (paged.items.length === 0) return <p class="empty">{empty}</p>;
  return <>{children}</>;
}

// PagedTable shows a paged list as a table, a row an item, with the list's states and its
// pager (pages names the pager).
export function PagedTable<T>({ paged, empty, pages, row, ...table }: { paged: Paged<T>; empty: string; pages: string; row: (item: T) => ComponentChildren } & Omit<TableProps, "children" | "list">) {
  return (
    <>
      <ListState paged={paged} empty={empty}>
        <Table {...table}>{paged.items?.map(row)}</Table>
      </ListState>
      <Pager paged={paged} label={pages} />
    </>
  );
}
