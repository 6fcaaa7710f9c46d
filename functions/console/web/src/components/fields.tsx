// The admin pages' fields besides text: a select, a check box, a text area, a choice of
// roles and a choice between options, each built like ui.tsx's Field (label, hint,
// error tied to it), each keeping its value in the form as a string: a check box is
// "true" or "", a list of roles their ids joined by ",".
import type { Form } from "../form";
import { languages, t, useLanguage } from "../i18n";
import { Below, LabelRow, fieldOf } from "./ui";

export interface Option {
  value: string;
  label: string;
}

export function SelectField<K extends string>(p: { form: Form<K>; name: K; label: string; options: Option[]; hint?: string }) {
  const { id, error, describedBy } = fieldOf(p.form, p.name, p.hint);
  return (
    <div class={error ? "field invalid" : "field"}>
      <LabelRow id={id} label={p.label} />
      <select
        id={id}
        name={p.name}
        value={p.form.values[p.name]}
        onChange={(e) => p.form.set(p.name, e.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Below id={id} error={error} hint={p.hint} />
    </div>
  );
}

export function CheckField<K extends string>(p: { form: Form<K>; name: K; label: string; hint?: string; disabled?: boolean }) {
  const { id, error, describedBy } = fieldOf(p.form, p.name, p.hint);
  return (
    <div class={error ? "field check invalid" : "field check"}>
      <input
        id={id}
        type="checkbox"
        name={p.name}
        checked={p.form.values[p.name] === "true"}
        disabled={p.disabled}
        onChange={(e) => p.form.set(p.name, e.currentTarget.checked ? "true" : "")}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      <div>
        <label for={id}>{p.label}</label>
        <Below id={id} error={error} hint={p.hint} />
      </div>
    </div>
  );
}

export function TextAreaField<K extends string>(p: { form: Form<K>; name: K; label: string; hint?: string; optional?: boolean; rows?: number; maxLength?: number }) {
  const { id, error, describedBy } = fieldOf(p.form, p.name, p.hint);
  return (
    <div class={error ? "field invalid" : "field"}>
      <LabelRow id={id} label={p.label} optional={p.optional} />
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 3}
        maxLength={p.maxLength}
        value={p.form.values[p.name]}
        onInput={(e) => p.form.set(p.name, e.currentTarget.value)}
        onBlur={() => p.form.touch(p.name)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      <Below id={id} error={error} hint={p.hint} />
    </div>
  );
}

// ChoiceField is a set of radio buttons in a fieldset; the first takes the form's id
// for the field, so an error's focus lands on it.
export function ChoiceField<K extends string>(p: { form: Form<K>; name: K; legend: string; options: Option[]; hint?: string }) {
  const { id, error, describedBy } = fieldOf(p.form, p.name, p.hint);
  return (
    <fieldset class={error ? "field choice invalid" : "field choice"} aria-describedby={describedBy}>
      <legend>{p.legend}</legend>
      {p.options.map((o, i) => (
        <div class="check" key={o.value}>
          <input
            type="radio"
            id={i === 0 ? id : `${id}-${o.value}`}
            name={`${p.form.id}-${p.name}`}
            value={o.value}
            checked={p.form.values[p.name] === o.value}
            onChange={() => p.form.set(p.name, o.value)}
          />
          <label for={i === 0 ? id : `${id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
      <Below id={id} error={error} hint={p.hint} />
    </fieldset>
  );
}

export interface RoleChoice {
  id: string;
  label: string;
  detail?: string;
}

export const roleList = (v: string) => (v ? v.split(",") : []);

// RolesField chooses a membership's roles (1 to 3) among those offered: only roles the
// caller may grant are offered at all.
export function RolesField<K extends string>(p: { form: Form<K>; name: K; legend: string; roles: RoleChoice[]; hint?: string }) {
  useLanguage();
  const hint = p.hint ?? t("roles.pickHint");
  const { id, error, describedBy } = fieldOf(p.form, p.name, hint);
  const chosen = roleList(p.form.values[p.name]);
  return (
    <fieldset class={error ? "field choice invalid" : "field choice"} aria-describedby={describedBy}>
      <legend>{p.legend}</legend>
      {p.roles.map((r, i) => {
        const rid = i === 0 ? id : `${id}-${r.id}`;
        return (
          <div class="check" key={r.id}>
            <input
              type="checkbox"
              id={rid}
              value={r.id}
              checked={chosen.includes(r.id)}
              aria-invalid={error ? "true" : undefined}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                const next = on ? [...chosen, r.id] : chosen.filter((x) => x !== r.id);
                p.form.set(p.name, next.join(","));
                p.form.touch(p.name);
              }}
            />
            <div>
              <label for={rid}>{r.label}</label>
              {r.detail && <p class="hint">{r.detail}</p>}
            </div>
          </div>
        );
      })}
      <Below id={id} error={error} hint={hint} />
    </fieldset>
  );
}

// LocaleField is the language Roster writes to a new account in (its emails), the
// console's own language to begin with.
export function LocaleField<K extends string>({ form }: { form: Form<K | "locale"> }) {
  useLanguage();
  return (
    <SelectField
      form={form}
      name="locale"
      label={t("users.locale")}
      hint={t("users.localeHint")}
      options={languages.map((l) => ({ value: l, label: t(`lang.${l}`) }))}
    />
  );
}

// accountTypeOptions are the account types an admin may give: member or platform admin
// (there is one super admin, made at bootstrap).
export const accountTypeOptions = (): Option[] => [
  { value: "member", label: t("home.accountType.member") },
  { value: "platform_admin", label: t("home.accountType.platform_admin") },
];
