// A list's filters: its search box, and selects whose first choice is "any".
import { t, useLanguage } from "../i18n";
import type { Option } from "./fields";

interface SearchProps {
  id: string;
  label: string;
  hint: string;
  value: string;
  onInput: (value: string) => void;
  maxLength: number;
  inRow?: boolean; // in a row of filters, where it takes the room the others leave
}

// SearchField is the search box of a role="search" form, with its hint and the form's
// submit button.
export function SearchField(p: SearchProps) {
  useLanguage();
  return (
    <>
      <div class={p.inRow ? "field grow" : "field"}>
        <label for={p.id}>{p.label}</label>
        <input id={p.id} type="search" value={p.value} maxLength={p.maxLength} onInput={(e) => p.onInput(e.currentTarget.value)} aria-describedby={`${p.id}-hint`} />
        <p id={`${p.id}-hint`} class="hint">
          {p.hint}
        </p>
      </div>
      <button type="submit" class={p.inRow ? "secondary filter-button" : "secondary"}>
        {t("users.searchSubmit")}
      </button>
    </>
  );
}

// FilterSelect narrows a list to one of options, or (value "") leaves it whole.
export function FilterSelect(p: { id: string; label: string; value: string; onChange: (value: string) => void; any: string; options: Option[] }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <select id={p.id} value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)}>
        <option value="">{p.any}</option>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
