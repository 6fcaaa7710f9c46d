// Audit log (admins): every change admins and team managers made, newest first, with
// filters for actor, target, action and time range (kept in the address), each event's
// changes as from → to. The API answers ids; names are read once each (names.ts).
import { useLocation } from "preact-iso";
import { useEffect } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import { renameFields } from "../api/errors";
import { useForm } from "../form";
import { formatTime, t, useLanguage } from "../i18n";
import { rememberUser, useName } from "../names";
import { namesOf, useRoles, type Role } from "../roles";
import { Below, Field, FormAlert, LabelRow, fieldOf, onSubmit, Page, Submit } from "../components/ui";
import { SelectField } from "../components/fields";
import { ListState, Pager, usePaged } from "../components/paged";

type Event = Schemas["AuditEvent"];
type Action = Schemas["AuditAction"];

const actions: Action[] = [
  "user.create",
  "user.update",
  "user.delete",
  "user.password_reset",
  "user.freeze",
  "user.recover",
  "user.mfa_unbind",
  "user.email_unbind",
  "team.create",
  "team.update",
  "team.delete",
  "member.add",
  "member.create",
  "member.update",
  "member.remove",
  "role.create",
  "role.update",
  "role.delete",
  "invitation_code.create",
  "invitation_code.revoke",
  "invitation.create",
  "invitation.revoke",
  "invitation.resend",
];

const idRe = /^[a-z2-7]{26}$/;

// The datetime-local field speaks the reader's local time; the API, RFC 3339.
function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function toISO(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

export function Audit() {
  useLanguage();
  const { query, route } = useLocation();
  const { roles } = useRoles();
  const filters = {
    actorId: idRe.test(query.actorId ?? "") ? query.actorId : "",
    targetId: idRe.test(query.targetId ?? "") ? query.targetId : "",
    action: actions.includes(query.action as Action) ? query.action : "",
    from: query.from ?? "",
    to: query.to ?? "",
  };
  const key = JSON.stringify(filters);
  const form = useForm(
    "audit",
    { actor: query.actor ?? filters.actorId, targetId: filters.targetId, action: filters.action, from: toLocalInput(filters.from), to: toLocalInput(filters.to) },
    {
      targetId: (v) => (v.trim() === "" || idRe.test(v.trim()) ? undefined : t("errors.field.invalidId")),
      from: (v) => (v === "" || toISO(v) ? undefined : t("errors.field.time")),
      to: (v, all) => (v === "" ? undefined : !toISO(v) ? t("errors.field.time") : all.from && toISO(all.from) > toISO(v) ? t("errors.field.toBeforeFrom") : undefined),
    },
  );
  // Links from a user's page change the filters while this page is open.
  useEffect(() => {
    form.set("actor", query.actor ?? filters.actorId);
    form.set("targetId", filters.targetId);
  }, [filters.actorId, filters.targetId]);

  const paged = usePaged(
    (cursor) =>
      authed(() =>
        client.GET("/v1/audit-events", {
          params: {
            query: {
              limit: 20,
              ...(cursor ? { cursor } : {}),
              ...(filters.actorId ? { actorId: filters.actorId } : {}),
              ...(filters.targetId ? { targetId: filters.targetId } : {}),
              ...(filters.action ? { action: filters.action as Action } : {}),
              ...(filters.from ? { from: filters.from } : {}),
              ...(filters.to ? { to: filters.to } : {}),
            },
          },
        }),
      ),
    key,
  );
  const any = Object.values(filters).some(Boolean);

  return (
    <Page title={t("audit.title")} wide>
      <p class="lead">{t("audit.intro")}</p>
      <form
        class="filters"
        role="search"
        aria-label={t("audit.filtersLabel")}
        noValidate
        onSubmit={onSubmit(() =>
          form.submit(async () => {
            const f = form.values;
            const next: Record<string, string> = {};
            const actor = f.actor.trim();
            if (actor) {
              if (idRe.test(actor)) next.actorId = actor;
              else {
                // A login account (or the start of a name): the one user it names exactly.
                const r = await authed(() => client.GET("/v1/users", { params: { query: { q: actor, limit: 20 } } }));
                if (!r.ok) return form.fail(renameFields(r.error, (n) => (n === "q" ? "actor" : n)));
                r.data.items.forEach(rememberUser);
                const exact = r.data.items.filter((u) => u.loginAccount.toLowerCase() === actor.toLowerCase());
                const one = exact.length === 1 ? exact[0] : r.data.items.length === 1 ? r.data.items[0] : null;
                if (!one) return form.fail({ status: 0, code: "no_such_actor", message: "", fields: {} }, { no_such_actor: { field: "actor", words: t("audit.noSuchActor") } });
                next.actorId = one.id;
                next.actor = actor;
              }
            }
            if (f.targetId.trim()) next.targetId = f.targetId.trim();
            if (f.action) next.action = f.action;
            if (f.from) next.from = toISO(f.from);
            if (f.to) next.to = toISO(f.to);
            const qs = new URLSearchParams(next).toString();
            route(qs ? `/audit?${qs}` : "/audit", true);
          }),
        )}
      >
        <FormAlert form={form} />
        <div class="filter-row">
          <Field form={form} name="actor" label={t("audit.actor")} hint={t("audit.actorHint")} autoComplete="off" optional />
          <Field form={form} name="targetId" label={t("audit.target")} hint={t("audit.targetHint")} autoComplete="off" optional />
          <SelectField
            form={form}
            name="action"
            label={t("audit.action")}
            options={[{ value: "", label: t("audit.anyAction") }, ...actions.map((a) => ({ value: a, label: t(`audit.actionWord.${a}`) }))]}
          />
        </div>
        <div class="filter-row">
          <TimeField form={form} name="from" label={t("audit.from")} />
          <TimeField form={form} name="to" label={t("audit.to")} />
          <div class="actions compact">
            <Submit busy={form.busy} secondary>
              {t("audit.apply")}
            </Submit>
            {any && (
              <button
                type="button"
                class="link"
                onClick={() => {
                  form.reset(["actor", "targetId", "action", "from", "to"]);
                  route("/audit", true);
                }}
              >
                {t("users.clearFilters")}
              </button>
            )}
          </div>
        </div>
      </form>

      <ListState paged={paged} empty={any ? t("audit.noneMatch") : t("audit.none")}>
        <ol class="events" aria-label={t("audit.listLabel", { n: paged.page })}>
          {paged.items?.map((e) => (
            <EventItem key={e.id} e={e} roles={roles} />
          ))}
        </ol>
      </ListState>
      <Pager paged={paged} label={t("audit.pages")} />
    </Page>
  );
}

function TimeField({ form, name, label }: { form: ReturnType<typeof useForm<"actor" | "targetId" | "action" | "from" | "to">>; name: "from" | "to"; label: string }) {
  const { id, error, describedBy } = fieldOf(form, name);
  return (
    <div class={error ? "field invalid" : "field"}>
      <LabelRow id={id} label={label} optional />
      <input
        id={id}
        type="datetime-local"
        value={form.values[name]}
        onInput={(e) => form.set(name, e.currentTarget.value)}
        onBlur={() => form.touch(name)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
      />
      <Below id={id} error={error} />
    </div>
  );
}

function EventItem({ e, roles }: { e: Event; roles: Role[] | null }) {
  useLanguage();
  // A field recorded unchanged (a new user's empty mobile) says nothing.
  const changes = Object.entries(e.changes ?? {}).filter(([, c]) => JSON.stringify(c.from) !== JSON.stringify(c.to));
  return (
    <li class="event">
      <p class="event-head">
        <time dateTime={e.time}>{formatTime(e.time)}</time> · <UserRef id={e.actorId} /> · <strong>{t(`audit.actionWord.${e.action}`, { defaultValue: e.action })}</strong>
      </p>
      <p class="event-target">
        {t("audit.targetLine")} <Target e={e} roles={roles} />
        {e.teamId && e.targetType !== "team" && (
          <>
            {" "}
            · {t("audit.inTeam")} <TeamRef id={e.teamId} />
          </>
        )}
      </p>
      {changes.length > 0 && (
        <ul class="changes">
          {changes.map(([field, c]) => (
            <li key={field}>
              <span class="field-name">{t(`audit.field.${field}`, { defaultValue: field })}</span>: {value(field, c.from, roles)} → {value(field, c.to, roles)}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

// value writes one side of a change in words: roles by name, account types, statuses
// and languages in the reader's words, times in its time zone, nothing as "(none)".
function value(field: string, v: unknown, roles: Role[] | null): string {
  if (v === null || v === undefined || v === "") return t("audit.nothing");
  if (typeof v === "boolean") return v ? t("common.yes") : t("common.no");
  if (Array.isArray(v)) {
    if (v.length === 0) return t("audit.nothing");
    if (field === "roleIds") return namesOf(v.map(String), roles);
    return v.map((x) => (x === "*" ? t("rolesPage.every") : String(x))).join(", ");
  }
  if (typeof v === "string") {
    if (field === "accountType") return t(`home.accountType.${v}`, { defaultValue: v });
    if (field === "status") return t(`audit.status.${v}`, { defaultValue: v });
    if (field === "locale") return t(`lang.${v}`, { defaultValue: v });
    if (field.endsWith("At")) return formatTime(v);
    return v;
  }
  return JSON.stringify(v);
}

function Target({ e, roles }: { e: Event; roles: Role[] | null }) {
  useLanguage();
  switch (e.targetType) {
    case "user":
    case "membership":
      return <UserRef id={e.targetId} />;
    case "team":
      return <TeamRef id={e.targetId} />;
    case "role": {
      const r = roles?.find((x) => x.id === e.targetId);
      return <span>{r ? t("audit.roleNamed", { name: r.name }) : t("audit.roleGone")}</span>;
    }
    case "invitation":
      return <span>{t("audit.invitationLink")}</span>;
    case "invitation_code":
      return <span>{t("audit.invitationCode")}</span>;
  }
  return <span>{e.targetId}</span>;
}

function UserRef({ id }: { id: string }) {
  useLanguage();
  const n = useName("user", id);
  if (n === undefined) return <span class="muted">…</span>;
  return n ? (
    <a href={`/users/${id}`}>
      {n.name}
      {n.detail && n.detail !== n.name ? ` (${n.detail})` : ""}
    </a>
  ) : (
    <span class="muted">{t("audit.deletedUser", { id })}</span>
  );
}

function TeamRef({ id }: { id: string }) {
  useLanguage();
  const n = useName("team", id);
  if (n === undefined) return <span class="muted">…</span>;
  return n ? <a href={`/teams/${id}`}>{n.name}</a> : <span class="muted">{t("audit.deletedTeam", { id })}</span>;
}
