// A team's invitations (invitations:manage): 8-digit codes (made with roles, shown with
// their expiry and a copy button, listed while live, revoked) and links (for an email
// address, which Roster emails, or open, shown once to copy; valid from 1 hour to 30
// days; listed by status; revoked; resent with a new token).
import { useState } from "preact/hooks";
import { authed, client, type Schemas } from "../api/client";
import type { ApiError } from "../api/errors";
import { formatTime, t, useLanguage } from "../i18n";
import { useSession } from "../session";
import { useName } from "../names";
import { namesOf, useRoles, type Role } from "../roles";
import { Field, Page, Status } from "../components/ui";
import { SendForm } from "../components/sendform";
import { RolesField, SelectField, roleList, type RoleChoice } from "../components/fields";
import { Confirm } from "../components/dialog";
import { CopyButton, Once } from "../components/copy";
import { PagedTable, usePaged } from "../components/paged";
import { FilterSelect } from "../components/filters";
import { RowButton } from "../components/table";
import { TeamHead, TeamLoading, useTeam, type Team } from "../components/teamframe";
import { failRoles, roleChoices, useGrantForm } from "../grant";
import { isAdmin, teamMay } from "../powers";
import * as v from "../validate";

// A bound link's email: queued with the invitation, sent by the mailer seconds later.
type MailState = Schemas["MailState"];

type Code = Schemas["InvitationCode"];
type Invitation = Schemas["Invitation"];
type InvitationStatus = Schemas["InvitationStatus"];

export function Invitations({ id }: { id: string }) {
  useLanguage();
  const { me } = useSession();
  const { team, error } = useTeam(id);
  const { roles } = useRoles();
  if (!team || !me) return <TeamLoading error={error} />;
  const choices = roleChoices(me, team.id, roles);
  return (
    <Page title={t("invitations.title", { team: team.name })} wide>
      <TeamHead team={team} current="invitations" />
      {teamMay(me, id, "invitations:manage") ? (
        <>
          <Codes team={team} roles={roles} choices={choices} />
          <Links team={team} roles={roles} choices={choices} />
        </>
      ) : (
        <div role="alert" class="alert error">
          <p>{t("invitations.notYours")}</p>
        </div>
      )}
    </Page>
  );
}

const spaced = (code: string) => code.replace(/^(\d{4})(\d{4})$/, "$1 $2");

// gone says why a code or link cannot be revoked or resent: used, revoked or expired.
const gone = (e: ApiError) => (e.code.startsWith("invitation_") ? t(`invitations.gone.${e.code}`) : undefined);

// The roles the team's invitations may grant (choices) and every role, for their names.
type Granting = { team: Team; roles: Role[] | null; choices: RoleChoice[] };

function Codes({ team, roles, choices }: Granting) {
  useLanguage();
  const [made, setMade] = useState<Code | null>(null);
  const [revoking, setRevoking] = useState<Code | null>(null);
  const [notice, setNotice] = useState("");
  const form = useGrantForm("new-code", choices, {});
  const paged = usePaged(
    (cursor) => authed(() => client.GET("/v1/teams/{id}/invitation-codes", { params: { path: { id: team.id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } } })),
    team.id,
  );

  return (
    <section>
      <h2 id="codes-title">{t("invitations.codesTitle")}</h2>
      <p>{t("invitations.codesIntro")}</p>
      <SendForm
        form={form}
        submit={t("invitations.createCode")}
        send={async () => {
          setMade(null);
          setNotice("");
          const r = await authed(() => client.POST("/v1/teams/{id}/invitation-codes", { params: { path: { id: team.id } }, body: { roleIds: roleList(form.values.roles) } }));
          if (!r.ok) return failRoles(form, r.error, (f) => f, { code_taken: { words: t("invitations.codeTaken") } });
          setMade(r.data);
          paged.reload();
        }}
      >
        <RolesField form={form} name="roles" legend={t("invitations.codeRoles")} roles={choices} />
      </SendForm>
      {made && (
        <div class="made" role="status">
          <p>{t("invitations.codeMade", { roles: namesOf(made.roleIds, roles) })}</p>
          <dl class="facts secrets">
            <dt>{t("invitations.code")}</dt>
            <dd>
              <span class="secret-value code" data-testid="invitation-code" data-code={made.code}>
                {spaced(made.code)}
              </span>
              <CopyButton text={made.code} label={t("invitations.copyCode")} />
            </dd>
            <dt>{t("invitations.expires")}</dt>
            <dd>
              <time dateTime={made.expiresAt}>{formatTime(made.expiresAt)}</time>
            </dd>
          </dl>
          <p class="hint">{t("invitations.codeHowTo")}</p>
        </div>
      )}
      <Status message={notice} />
      <h3 id="codes-live">{t("invitations.liveCodes")}</h3>
      <PagedTable
        paged={paged}
        empty={t("invitations.noCodes")}
        pages={t("invitations.codePages")}
        labelledBy="codes-live"
        head={[t("invitations.code"), t("invitations.roles"), t("invitations.expires"), t("invitations.createdBy"), t("members.actions")]}
        row={(c) => (
          <tr key={c.code}>
            <td class="nowrap">
              <span class="mono">{spaced(c.code)}</span>
            </td>
            <td>{namesOf(c.roleIds, roles)}</td>
            <td class="nowrap">
              <time dateTime={c.expiresAt}>{formatTime(c.expiresAt)}</time>
            </td>
            <td>
              <Who id={c.createdBy} />
            </td>
            <td>
              <div class="row-actions">
                <CopyButton text={c.code} label={t("invitations.copyCodeN", { code: spaced(c.code) })} />
                <RowButton label={t("invitations.revoke")} name={spaced(c.code)} danger onClick={() => setRevoking(c)} />
              </div>
            </td>
          </tr>
        )}
      />
      {revoking && (
        <Confirm
          title={t("invitations.revokeCodeTitle", { code: spaced(revoking.code) })}
          confirm={t("invitations.revoke")}
          danger
          run={() => authed(() => client.DELETE("/v1/teams/{id}/invitation-codes/{code}", { params: { path: { id: team.id, code: revoking.code } } }))}
          words={gone}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setNotice(t("invitations.codeRevoked", { code: spaced(revoking.code) }));
            if (made?.code === revoking.code) setMade(null);
            setRevoking(null);
            paged.reload();
          }}
        >
          <p>{t("invitations.revokeCodeText")}</p>
        </Confirm>
      )}
    </section>
  );
}

const statuses: InvitationStatus[] = ["pending", "accepted", "expired", "revoked"];

function Links({ team, roles, choices }: Granting) {
  useLanguage();
  const [made, setMade] = useState<{ link?: string; email: string | null; emailed?: MailState; expiresAt: string; resent?: boolean } | null>(null);
  const [status, setStatus] = useState<"" | InvitationStatus>("pending");
  const [acting, setActing] = useState<{ kind: "revoke" | "resend"; inv: Invitation } | null>(null);
  const [notice, setNotice] = useState("");
  const form = useGrantForm(
    "new-link",
    choices,
    { email: "", validFor: "7", unit: "days" },
    {
      email: v.optional(v.email),
      validFor: (val, all) => {
        const n = Number(val);
        const hours = all.unit === "days" ? n * 24 : n;
        return Number.isInteger(n) && hours >= 1 && hours <= 720 ? undefined : t("invitations.validityRange");
      },
    },
  );
  const paged = usePaged(
    (cursor) =>
      authed(() =>
        client.GET("/v1/teams/{id}/invitations", {
          params: { path: { id: team.id }, query: { limit: 20, ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) } },
        }),
      ),
    `${team.id}|${status}`,
  );

  return (
    <section>
      <h2 id="links-title">{t("invitations.linksTitle")}</h2>
      <p>{t("invitations.linksIntro")}</p>
      <SendForm
        form={form}
        submit={t("invitations.createLink")}
        send={async () => {
          setMade(null);
          setNotice("");
          const f = form.values;
          const email = f.email.trim();
          const hours = Number(f.validFor) * (f.unit === "days" ? 24 : 1);
          const r = await authed(() =>
            client.POST("/v1/teams/{id}/invitations", {
              params: { path: { id: team.id } },
              body: { roleIds: roleList(f.roles), validForHours: hours, ...(email ? { email } : {}) },
            }),
          );
          if (!r.ok) return failRoles(form, r.error, (n) => (n === "validForHours" ? "validFor" : n));
          setMade({ link: r.data.link, email: r.data.email, emailed: r.data.emailed, expiresAt: r.data.expiresAt });
          form.reset(["email"]);
          paged.reload();
        }}
      >
        <Field form={form} name="email" label={t("invitations.email")} type="email" inputMode="email" autoComplete="off" hint={t("invitations.emailHint")} optional />
        <div class="inline validity">
          <Field form={form} name="validFor" label={t("invitations.validFor")} inputMode="numeric" maxLength={3} autoComplete="off" hint={t("invitations.validForHint")} />
          <SelectField
            form={form}
            name="unit"
            label={t("invitations.unit")}
            options={[
              { value: "hours", label: t("invitations.hours") },
              { value: "days", label: t("invitations.days") },
            ]}
          />
        </div>
        <RolesField form={form} name="roles" legend={t("invitations.linkRoles")} roles={choices} />
      </SendForm>
      {made && <Made made={made} />}
      <Status message={notice} />

      <h3 id="links-list">{t("invitations.linksList")}</h3>
      <div class="filters">
        <div class="filter-row">
          <FilterSelect
            id="links-status"
            label={t("invitations.status")}
            value={status}
            onChange={(s) => setStatus(s as "" | InvitationStatus)}
            any={t("users.all")}
            options={statuses.map((s) => ({ value: s, label: t(`invitations.statusWord.${s}`) }))}
          />
        </div>
      </div>
      <PagedTable
        paged={paged}
        empty={t("invitations.noLinks")}
        pages={t("invitations.linkPages")}
        labelledBy="links-list"
        head={[t("invitations.for"), t("invitations.roles"), t("invitations.status"), t("invitations.expires"), t("invitations.createdBy"), t("members.actions")]}
        row={(inv) => (
          <tr key={inv.id}>
            <td class="wrap">{inv.email ?? t("invitation.openLink")}</td>
            <td>{namesOf(inv.roleIds, roles)}</td>
            <td>
              <span class={`state ${inv.status}`}>{t(`invitations.statusWord.${inv.status}`)}</span>
            </td>
            <td class="nowrap">
              <time dateTime={inv.expiresAt}>{formatTime(inv.expiresAt)}</time>
            </td>
            <td>
              <Who id={inv.createdBy} />
            </td>
            <td>
              <div class="row-actions">
                {(inv.status === "pending" || inv.status === "expired") && (
                  <RowButton label={t("invitations.resend")} name={`(${inv.email ?? t("invitation.openLink")})`} onClick={() => setActing({ kind: "resend", inv })} />
                )}
                {inv.status === "pending" && (
                  <RowButton label={t("invitations.revoke")} name={`(${inv.email ?? t("invitation.openLink")})`} danger onClick={() => setActing({ kind: "revoke", inv })} />
                )}
              </div>
            </td>
          </tr>
        )}
      />

      {acting?.kind === "revoke" && (
        <Confirm
          title={t("invitations.revokeLinkTitle", { who: acting.inv.email ?? t("invitation.openLink") })}
          confirm={t("invitations.revoke")}
          danger
          run={() => authed(() => client.DELETE("/v1/teams/{id}/invitations/{invitationId}", { params: { path: { id: team.id, invitationId: acting.inv.id } } }))}
          words={gone}
          onClose={() => setActing(null)}
          onDone={() => {
            setNotice(t("invitations.linkRevoked"));
            setActing(null);
            paged.reload();
          }}
        >
          <p>{t("invitations.revokeLinkText")}</p>
        </Confirm>
      )}
      {acting?.kind === "resend" && (
        <Confirm
          title={t("invitations.resendTitle", { who: acting.inv.email ?? t("invitation.openLink") })}
          confirm={t("invitations.resend")}
          run={async () => {
            const inv = acting.inv;
            const r = await authed(() =>
              client.POST("/v1/teams/{id}/invitations/{invitationId}/resend", { params: { path: { id: team.id, invitationId: inv.id } } }),
            );
            if (r.ok) setMade({ link: r.data.link, email: inv.email, emailed: r.data.emailed, expiresAt: r.data.expiresAt, resent: true });
            return r;
          }}
          words={gone}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            paged.reload();
          }}
        >
          <p>{acting.inv.email ? t("invitations.resendBoundText", { email: acting.inv.email }) : t("invitations.resendOpenText")}</p>
        </Confirm>
      )}
    </section>
  );
}

// Made shows a new (or resent) link: an open link once, with its copy button; a bound
// link only says where it was emailed (following it proves the address, so nobody
// else sees it).
function Made({ made }: { made: { link?: string; email: string | null; emailed?: MailState; expiresAt: string; resent?: boolean } }) {
  useLanguage();
  const expires = formatTime(made.expiresAt);
  if (made.link) {
    return (
      <div class="made">
        <p role="status">{made.resent ? t("invitations.openResent", { time: expires }) : t("invitations.openMade", { time: expires })}</p>
        <Once items={[{ label: t("invitations.link"), value: made.link, copy: t("invitations.copyLink"), testId: "invitation-link", mono: false }]} warning={t("invitations.linkOnce")} />
      </div>
    );
  }
  return (
    <div class="made" role="status">
      <p class="alert ok">
        {made.emailed === "failed"
          ? t("invitations.notEmailed", { email: made.email ?? "" })
          : made.resent
            ? t("invitations.boundResent", { email: made.email ?? "", time: expires })
            : t("invitations.boundMade", { email: made.email ?? "", time: expires })}
      </p>
    </div>
  );
}

function Who({ id }: { id: string }) {
  useLanguage();
  const { me } = useSession();
  const self = me?.user.id === id;
  // Names of other users are read with the admin-only users route; a manager sees "you" or
  // "another member".
  const n = useName("user", isAdmin(me?.user) && !self ? id : null);
  if (self) return <>{t("invitations.byYou")}</>;
  if (!isAdmin(me?.user)) return <span class="muted">{t("invitations.byOther")}</span>;
  if (n === undefined) return null;
  return n ? <a href={`/users/${id}`}>{n.name}</a> : <span class="muted">{t("invitations.byGone")}</span>;
}
