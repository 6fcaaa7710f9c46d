// A table of rows in a region of its own, which scrolls sideways on a narrow screen and is
// named for a screen reader; and a row's action button, named for its row.
import type { ComponentChildren } from "preact";

export interface TableProps {
  // labelledBy names the region: the id of the caption, when there is one, else of a
  // heading above the table.
  labelledBy: string;
  caption?: string; // read by screen readers only
  head: (string | false)[]; // the column heads; false leaves a column out
  list?: boolean; // a list of records (class "list"), not a log
  children: ComponentChildren; // the rows
}

export function Table({ labelledBy, caption, head, list = true, children }: TableProps) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-labelledby={labelledBy}>
      <table class={list ? "list" : undefined}>
        {caption && (
          <caption id={labelledBy} class="visually-hidden">
            {caption}
          </caption>
        )}
        <thead>
          <tr>
            {head.map(
              (h, i) =>
                h !== false && (
                  <th key={i} scope="col">
                    {h}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

// RowButton is a row's action; name (said to screen readers only) tells it from the same
// action on the other rows.
export function RowButton({ label, name, danger, onClick }: { label: string; name: string; danger?: boolean; onClick: () => void }) {
  return (
    <button type="button" class={danger ? "danger small" : "secondary small"} onClick={onClick}>
      {label}
      <span class="visually-hidden"> {name}</span>
    </button>
  );
}
