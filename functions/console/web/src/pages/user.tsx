// A user (admins): its fields, teams and roles, sign-in history; edit with If-Match
// (a 409 version_conflict shows what changed and keeps what was typed), reset the
// password, freeze and recover, unbind the authenticator or the email, delete. Each
// action is offered only where SPEC.md section 1 lets this caller take it (powers.ts).
import { useLocation } from "preact-iso";
import { useEffect, useRef, useState } from "preact/hooks";
import { authed, client, type Result, type Schemas } from "../api/client";
import { codeWords, type ApiError } from "../api/errors";
import { useForm } from "../form";
import { formatTime, roleNames, t, useLanguage } from "../i18n";
import { loadMe, useSession } from "../session";
import { forgetUser, rememberUser, useName } from "../names";
import { userMay } from "../powers";
import { Field, Loading, Page, Status } from "../components/ui";
import { SendForm } from "../components/sendform";
import { ChoiceField, SelectField, accountTypeOptions } from "../components/fields";
import { Confirm, DoneDialog, FormDialog } from "../components/dialog";
import { Once } from "../components/copy";
import { LoginHistory } from "../components/history";
import * as v from "../validate";

type User = Schemas["User"];
type Detail = Schemas["UserDetail"];
type Action = "reset" | "freeze" | "recover" | "mfa" | "email" | "delete";
type Change = "freeze" | "recover" | "mfa" | "email";

// The actions in the order offered, each with its button's words.
const actions: [Action, string][] = [
  ["reset", "user.reset"],
  ["freeze", "user.freeze"],
  ["recover", "user.recover"],
  ["mfa", "user.unbindMfa"],
  ["email", "user.unbindEmail"],
  ["delete", "user.delete"],
];

// The words of a change's dialog and of its notice once done; refused, those for a
// refusal that only this change meets.
const changeWords: Record<Change, { title: string; text: string; confirm: string; done: string; danger: boolean; refused?: { code: string; words: string } }> = {
  freeze: { title: "user.freezeTitle", text: "user.freezeText", confirm: "user.freezeConfirm", done: "user.frozen", danger: true },
  recover: { title: "user.recoverTitle", text: "user.recoverText", confirm: "user.recoverConfirm", done: "user.recovered", danger: false },
  mfa: {
    title: "user.unbindMfaTitle",
    text: "user.unbindMfaText",
    confirm: "user.unbindMfaConfirm",
    done: "user.mfaUnbound",
    danger: true,
    refused: { code: "mfa_not_started", words: "user.mfaNotStarted" },
  },
  email: { title: "user.unbindEmailTitle", text: "user.unbindEmailText", confirm: "user.unbindEmailConfirm", done: "user.emailUnbound", danger: true },
};

export function UserPage({ id }: { id: string }) {
  useLanguage();
  const { me } = useSession();
  const { route } = useLocation();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState<Action | null>(null);
  const [notice, setNotice] = useState("");

  async function load(): Promise<Detail | null> {
    const r = await authed(() => client.GET("/v1/users/{id}", { params: { path: { id } } }));
    if (!r.ok) {
      setError(r.error);
      return null;
    }
    setError(null);
    rememberUser(r.data.user);
    setDetail(r.data);
    setEtag(r.response.headers.get("ETag"));
    return r.data;
  }
  useEffect(() => {
    setDetail(null);
    void load();
  }, [id]);

  // An action's answer is the user as it is now, with its new ETag.
  function took(r: Result<unknown>, words: string) {
    if (r.ok && r.data && typeof r.data === "object" && "id" in r.data) {
      setDetail((d) => (d ? { ...d, user: r.data as User } : d));
      setEtag(r.response.headers.get("ETag"));
    } else {
      void load();
    }
    setNotice(words);
  }

  if (error && !detail) {
    return (
      <Page title={t("user.title")}>
        <div role="alert" class="alert error">
          <p>{error.code === "not_found" || error.code === "invalid_request" ? t("user.notFound") : codeWords(error)}</p>
        </div>
        <p>
          <a href="/users">{t("user.back")}</a>
        </p>
      </Page>
    );
  }
  if (!detail || !me) return <Loading />;

  const u = detail.user;
  const caller = me.user;
  const self = caller.id === u.id;
  const may = {
    edit: userMay(caller, "edit", u),
    accountType: userMay(caller, "accountType", u) && u.accountType !== "super_admin",
    reset: userMay(caller, "resetPassword", u) && !self,
    freeze: userMay(caller, "freeze", u) && u.status === "active",
    recover: userMay(caller, "recover", u) && u.status === "frozen",
    mfa: userMay(caller, "unbindMfa", u) && u.mfaEnabled,
    email: userMay(caller, "unbindEmail", u) && !!u.email,
    delete: userMay(caller, "delete", u),
    history: userMay(caller, "loginEvents", u),
  };
  const anyAction = actions.some(([a]) => may[a]);
  const name = `${u.username} (${u.loginAccount})`;
  const path = { params: { path: { id: u.id } } };
  // A change answers the user as it is now.
  const changes: Record<Change, () => Promise<Result<unknown>>> = {
    freeze: () => authed(() => client.POST("/v1/users/{id}/freeze", { ...path, body: {} as never })),
    recover: () => authed(() => client.POST("/v1/users/{id}/recover", { ...path, body: {} as never })),
    mfa: () => authed(() => client.DELETE("/v1/users/{id}/mfa", { ...path, body: {} as never })),
    email: () => authed(() => client.DELETE("/v1/users/{id}/email", { ...path, body: {} as never })),
  };
  const change = open && open in changes ? (open as Change) : null;
  const w = change && changeWords[change];

  return (
    <Page title={u.username} wide>
      <p class="crumbs">
        <a href="/users">{t("user.back")}</a>
      </p>
      <Status message={notice} />
      <section>
        <h2 id="user-facts">{t("user.factsTitle")}</h2>
        <dl class="facts">
          <dt>{t("users.loginAccount")}</dt>
          <dd>{u.loginAccount}</dd>
          <dt>{t("users.email")}</dt>
          <dd>
            {u.email ? (
              <>
                {u.email} <span class="badge">{u.emailVerified ? t("account.verified") : t("account.unverified")}</span>
              </>
            ) : (
              t("user.noEmail")
            )}
          </dd>
          <dt>{t("users.mobile")}</dt>
          <dd>{u.mobile ?? t("user.noMobile")}</dd>
          <dt>{t("users.accountType")}</dt>
          <dd>{t(`home.accountType.${u.accountType}`)}</dd>
          <dt>{t("users.locale")}</dt>
          <dd>{u.locale ? t(`lang.${u.locale}`) : t("account.unknown")}</dd>
          <dt>{t("users.status")}</dt>
          <dd>
            <span class={`state ${u.status}`}>{t(`users.statusWord.${u.status}`)}</span>
          </dd>
          <dt>{t("user.mfa")}</dt>
          <dd>{u.mfaEnabled ? t("user.mfaOn") : t("user.mfaOff")}</dd>
          <dt>{t("user.createdAt")}</dt>
          <dd>
            <time dateTime={u.createdAt}>{formatTime(u.createdAt)}</time>
            {u.createdBy && (
              <>
                {" "}
                <CreatedBy id={u.createdBy} />
              </>
            )}
          </dd>
          <dt>{t("users.lastLogin")}</dt>
          <dd>{u.lastLoginAt ? <time dateTime={u.lastLoginAt}>{formatTime(u.lastLoginAt)}</time> : t("users.never")}</dd>
        </dl>
        <p class="small">
          <a href={`/audit?targetId=${u.id}`}>{t("user.auditAbout")}</a> · <a href={`/audit?actorId=${u.id}`}>{t("user.auditBy")}</a>
        </p>
      </section>

      <section>
        <h2 id="user-teams">{t("user.teamsTitle")}</h2>
        {detail.memberships.length === 0 ? (
          <p>{u.accountType === "member" ? t("user.noTeams") : t("user.adminNoTeams")}</p>
        ) : (
          <ul class="teams">
            {detail.memberships.map((m) => (
              <li key={m.teamId}>
                <a href={`/teams/${m.teamId}`}>{m.teamName}</a>
                <p class="roles">
                  {t("user.rolesLine", { roles: roleNames(m.roles) })} · {t("user.joined", { time: formatTime(m.joinedAt) })}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      {may.edit && (
        <EditUser
          user={u}
          etag={etag}
          mayChangeType={may.accountType}
          reload={load}
          saved={(user, tag) => {
            setDetail((d) => (d ? { ...d, user } : d));
            setEtag(tag);
            rememberUser(user);
            if (self) void loadMe();
          }}
        />
      )}

      <section>
        <h2 id="user-actions">{t("user.actionsTitle")}</h2>
        {anyAction ? (
          <div class="actions">
            {actions.map(
              ([a, words]) =>
                may[a] && (
                  <button key={a} type="button" class={a === "delete" ? "danger" : "secondary"} onClick={() => setOpen(a)}>
                    {t(words)}
                  </button>
                ),
            )}
          </div>
        ) : (
          <p>{self ? t("user.noActionsSelf") : caller.accountType === "platform_admin" ? t("user.noActionsAdmin") : t("user.noActions")}</p>
        )}
      </section>

      {may.history ? (
        <LoginHistory
          key={u.id}
          titleId="user-history"
          title={t("user.historyTitle")}
          load={(cursor) =>
            authed(() => client.GET("/v1/users/{id}/login-events", { params: { path: { id: u.id }, query: { limit: 10, ...(cursor ? { cursor } : {}) } } }))
          }
        />
      ) : null}

      {open === "reset" && <ResetPassword user={u} onClose={() => setOpen(null)} done={() => void load()} />}
      {change && w && (
        <Confirm
          key={change}
          title={t(w.title, { name })}
          confirm={t(w.confirm)}
          danger={w.danger}
          run={async () => {
            const r = await changes[change]();
            if (r.ok) took(r, t(w.done, { name: u.username }));
            return r;
          }}
          words={(e) => (w.refused && e.code === w.refused.code ? t(w.refused.words) : undefined)}
          onClose={() => setOpen(null)}
          onDone={() => setOpen(null)}
        >
          <p>{t(w.text, { name: u.username, email: u.email ?? "" })}</p>
        </Confirm>
      )}
      {open === "delete" && (
        <Confirm
          title={t("user.deleteTitle", { name })}
          confirm={t("user.deleteConfirm", { name: u.username })}
          danger
          run={() => authed(() => client.DELETE("/v1/users/{id}", { ...path, body: {} as never }))}
          words={(e) => (e.code === "version_conflict" ? t("user.deleteConflict") : undefined)}
          onClose={() => setOpen(null)}
          onDone={() => {
            forgetUser(u.id);
            route(`/users?deleted=${encodeURIComponent(u.username)}`);
          }}
        >
          <p>{t("user.deleteText", { name })}</p>
        </Confirm>
      )}
    </Page>
  );
}

function CreatedBy({ id }: { id: string }) {
  useLanguage();
  const n = useName("user", id);
  if (n === undefined) return null;
  return <span class="muted">{n ? t("user.createdBy", { name: n.name }) : t("user.createdByGone")}</span>;
}

type Editable = Pick<User, "username" | "mobile" | "accountType">;

// EditUser edits username, mobile and (for the super admin) account type. The edit is
// sent with the ETag the page read: if the user changed meanwhile, the API refuses it
// (409 version_conflict) and the form shows what changed, keeping what was typed.
function EditUser(p: { user: User; etag: string | null; mayChangeType: boolean; reload: () => Promise<Detail | null>; saved: (u: User, etag: string | null) => void }) {
  useLanguage();
  const base = useRef<Editable>(p.user);
  const [conflict, setConflict] = useState(false);
  const [changed, setChanged] = useState<{ field: string; from: string; to: string }[] | null>(null);
  const [done, setDone] = useState("");
  const form = useForm(
    "edit-user",
    { username: p.user.username, mobile: p.user.mobile ?? "", accountType: p.user.accountType },
    { username: v.username, mobile: v.mobile },
  );

  async function reload() {
    const fresh = await p.reload();
    if (!fresh) return;
    const before = base.current;
    const now = fresh.user;
    // What the person edited stays; the fields it left alone take the current values,
    // so saving again changes only what it meant to change.
    const f = form.values;
    if (f.username.trim() === before.username) form.set("username", now.username);
    if (f.mobile.trim() === (before.mobile ?? "")) form.set("mobile", now.mobile ?? "");
    if (f.accountType === before.accountType) form.set("accountType", now.accountType);
    const word = (field: string, value: string | null) =>
      field === "accountType" && value ? t(`home.accountType.${value}`) : value || t("user.nothing");
    setChanged(
      (["username", "mobile", "accountType"] as const)
        .filter((f) => (before[f] ?? "") !== (now[f] ?? ""))
        .map((f) => ({ field: t(`user.field.${f}`), from: word(f, before[f]), to: word(f, now[f]) })),
    );
    base.current = now;
    setConflict(false);
    form.setAlert("");
  }

  return (
    <section>
      <h2 id="user-edit">{t("user.editTitle")}</h2>
      <SendForm
        form={form}
        submit={t("user.save")}
        send={async () => {
          setDone("");
          setChanged(null);
          const f = form.values;
          const body: { username?: string; mobile?: string; accountType?: "platform_admin" | "member" } = {};
          if (f.username.trim() !== p.user.username) body.username = f.username.trim();
          if (f.mobile.trim() !== (p.user.mobile ?? "")) body.mobile = f.mobile.trim();
          if (p.mayChangeType && f.accountType !== p.user.accountType && (f.accountType === "member" || f.accountType === "platform_admin")) {
            body.accountType = f.accountType;
          }
          if (Object.keys(body).length === 0) return setDone(t("user.nothingToSave"));
          const r = await authed(() =>
            client.PATCH("/v1/users/{id}", {
              params: { path: { id: p.user.id }, header: p.etag ? { "If-Match": p.etag } : {} },
              body,
            }),
          );
          if (!r.ok) {
            if (r.error.code === "version_conflict") setConflict(true);
            return form.fail(r.error, {
              version_conflict: { words: t("user.conflict") },
              member_of_teams: { field: "accountType", words: t("user.memberOfTeams") },
            });
          }
          const user = r.data as unknown as User;
          base.current = user;
          p.saved(user, r.response.headers.get("ETag"));
          setDone(t("user.saved"));
        }}
      >
        {conflict && (
          <p>
            <button type="button" class="secondary" onClick={() => void reload()}>
              {t("user.loadCurrent")}
            </button>
          </p>
        )}
        {changed && (
          <div class="alert info" role="status">
            {changed.length === 0 ? (
              <p>{t("user.changedNothing")}</p>
            ) : (
              <>
                <p>{t("user.changedIntro")}</p>
                <ul>
                  {changed.map((c) => (
                    <li key={c.field}>{t("user.changedLine", { field: c.field, from: c.from, to: c.to })}</li>
                  ))}
                </ul>
                <p>{t("user.changedKept")}</p>
              </>
            )}
          </div>
        )}
        <Field form={form} name="username" label={t("users.username")} hint={t("common.usernameHint")} autoComplete="off" />
        <Field form={form} name="mobile" label={t("users.mobile")} hint={t("users.mobileHint")} autoComplete="off" optional />
        {p.mayChangeType && (
          <SelectField
            form={form}
            name="accountType"
            label={t("users.accountType")}
            hint={t("user.accountTypeHint")}
            options={accountTypeOptions()}
          />
        )}
        <Status message={done} />
      </SendForm>
    </section>
  );
}

// ResetPassword gives the user a new temporary password: shown here once, or emailed
// to its verified address. Either way every session of the user ends.
function ResetPassword({ user, onClose, done }: { user: User; onClose: () => void; done: () => void }) {
  useLanguage();
  const canEmail = !!user.email && user.emailVerified;
  const [result, setResult] = useState<Schemas["TemporaryPassword"] | null>(null);
  const form = useForm("reset", { mode: "show" });

  if (result) {
    return (
      <DoneDialog title={t("user.resetDoneTitle", { name: user.username })} onClose={onClose} noEscape={!result.notified}>
        {result.notified ? (
          <p class="alert ok">{t("user.resetEmailed", { email: user.email ?? "" })}</p>
        ) : (
          <Once
            items={[{ label: t("users.temporaryPassword"), value: result.temporaryPassword, copy: t("users.copyPassword"), testId: "temporary-password" }]}
          >
            <p>{t("users.temporaryHint")}</p>
          </Once>
        )}
      </DoneDialog>
    );
  }
  return (
    <FormDialog
      title={t("user.resetTitle", { name: `${user.username} (${user.loginAccount})` })}
      form={form}
      submit={t("user.resetConfirm")}
      onClose={onClose}
      intro={<p>{t("user.resetText", { name: user.username })}</p>}
      send={async () => {
        const r = await authed(() => client.POST("/v1/users/{id}/password-reset", { params: { path: { id: user.id } }, body: { notify: form.values.mode === "email" } }));
        if (!r.ok) return form.fail(r.error);
        setResult(r.data);
        done();
      }}
    >
      {canEmail ? (
        <ChoiceField
          form={form}
          name="mode"
          legend={t("user.resetHow")}
          options={[
            { value: "show", label: t("user.resetShow") },
            { value: "email", label: t("user.resetEmail", { email: user.email ?? "" }) },
          ]}
        />
      ) : (
        <p class="hint">{t("user.resetNoEmail")}</p>
      )}
    </FormDialog>
  );
}
